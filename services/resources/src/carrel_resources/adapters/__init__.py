"""What the service keeps besides its events: files, the directory, goals."""
