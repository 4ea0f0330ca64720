// Package web serves the assistant over HTTP: the JSON API (chat, feedback, search, health),
// the websocket chat with streamed answers, the chat page citizens use, and the widget that
// embeds it in any portal.
package web
