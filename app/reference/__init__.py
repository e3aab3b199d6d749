"""Reference tables: leagues and cities, industry sections, occupations, the major catalogue."""
