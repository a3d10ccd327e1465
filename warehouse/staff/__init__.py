"""The people: pickers (badge, PIN) and desk users (login, password), the first admin."""
