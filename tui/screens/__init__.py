"""The app's main screens, one per mode."""
