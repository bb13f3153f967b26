"""The classroom pages (``pricelab classroom``): a teacher's room, students' seats, and solo play."""
