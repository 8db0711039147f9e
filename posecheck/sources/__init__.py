"""Where frames come from: video files (read, written) and cameras. Opens files and devices."""
