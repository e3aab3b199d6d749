"""Teaching resources and training: resource packages with review, shared venues and bookings,
training programmes, skill certification, supervision."""
