// The libpq client lands here.
