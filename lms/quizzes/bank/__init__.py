"""The question bank: categories of questions, GIFT/Aiken import and export."""
