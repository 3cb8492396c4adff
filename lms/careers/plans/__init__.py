"""Development plans (IDP): needs, activities, the supervisor's decision."""
