// Package web serves the assistant over HTTP: the JSON API (chat, feedback, search, health),
// the websocket chat with streamed answers (GET /ws/chat, described in PROTOCOL.md), the chat
// page citizens use (GET /), and the widget that embeds it in any portal (GET /widget.js).
//
// Each websocket has exactly two goroutines, a reader and a writer, sharing one cancel; every
// frame to the client goes through a bounded queue, so a slow client is disconnected rather
// than slowing anyone else. Answers run apart from connections, bounded by a timeout and a
// number of slots, so that an answer is stored complete even when its client has gone, and is
// delivered when the client reconnects. The page and its assets are embedded, rendered once
// and served gzip-compressed with strong ETags.
package web
