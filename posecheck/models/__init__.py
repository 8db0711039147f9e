"""The bundled MediaPipe pose model (Apache-2.0; see LICENSE and PROVENANCE.md here)."""
