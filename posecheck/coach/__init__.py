"""What the user sees and hears: the annotated video's painters, the live screen, the voice."""
