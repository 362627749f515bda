// The application lands here.
