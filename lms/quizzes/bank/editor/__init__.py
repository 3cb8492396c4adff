"""The question editor of the bank: view, create, edit (versioned), duplicate, move and delete
single questions, with a preview drawn by the learner's own question template.

``rules`` turns the editor's fields into a question or names what is wrong (pure), ``services``
changes the bank and keeps old versions for the attempts that showed them, ``preview`` draws a
question as the attempt page does, ``views`` are the routes.
"""
