"""Web chat: a WebSocket endpoint for the embeddable widget, a REST fallback, and the widget
itself (plain HTML/JS package data, no build step). A chat session is a conversation; each
chat message is acknowledged to the browser only after Kafka acknowledged it."""
