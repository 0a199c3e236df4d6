"""Modal dialogs: confirm, help, the too-small notice."""
