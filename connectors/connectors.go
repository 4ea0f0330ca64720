// Package connectors holds what the messaging-platform connectors share: the Message a webhook
// hands over, the Worker that answers it (the one pipeline of every platform), the bounded
// Queue under the Worker, the pseudonymised user key, the sources of an answer as the
// connectors show them, the splitting of long answers under a platform's length limit, the
// retry policy of platform API calls, and the per-connector settings common to every platform
// (audience, locality, queue size).
//
// Each platform is its own package (connectors/zalo, connectors/messenger,
// connectors/telegram) with a Config loaded from the environment, a small API client, a
// webhook Handler and its routes, and a Platform: the transport the Worker sends through
// (name, length limit, markup, sending one message, the typing indicator). A handler verifies
// the platform's signature on the raw body, parses the delivery, pushes the message to its
// Worker and answers 2xx at once; the Worker then claims the event, asks the assistant and
// sends the reply, or marks it undelivered through the assistant. The model is never called
// while the platform waits.
package connectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"
	"unicode/utf8"
)

// Channels, as stored in sessions and event claims.
const (
	Zalo      = "zalo"
	Messenger = "messenger"
	Telegram  = "telegram"
)

// Kinds of incoming message.
const (
	KindText        = "text"        // a text message, or an attachment with a caption
	KindUnsupported = "unsupported" // an attachment without text: the user is told to type
)

// Message is one incoming message from a platform user, as queued for a worker. UserID is the
// raw platform id, needed to reply; it is never logged or stored (use UserKey). LogValue
// leaves out the user id and the text.
type Message struct {
	Channel    string
	EventID    string // the platform's message or update id, used to deduplicate deliveries
	UserID     string // raw platform user (or chat) id: for replying only
	UserKey    string // pseudonymised user id (see UserKey)
	Kind       string // KindText or KindUnsupported
	Text       string
	ReceivedAt time.Time
}

// LogValue implements slog.LogValuer without personal data.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("channel", m.Channel),
		slog.String("event_id", m.EventID),
		slog.String("user_key", ShortKey(m.UserKey)),
		slog.String("kind", m.Kind),
		slog.Int("text_runes", utf8.RuneCountInString(m.Text)),
	)
}

// UserKey pseudonymises a platform user id: the hex HMAC-SHA256, keyed with secret, of
// "<channel>:<user id>". The assistant keys one session per channel and user key.
func UserKey(secret, channel, userID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(channel + ":" + userID))
	return hex.EncodeToString(mac.Sum(nil))
}

// ShortKey returns the first 12 hex digits of a user key, enough to follow one user in logs.
func ShortKey(key string) string {
	if len(key) > 12 {
		return key[:12]
	}
	return key
}

// ErrUndeliverable marks a send error saying that the user cannot be reached now: the reply
// window has closed, the user blocked or does not follow the account. Platform clients wrap it
// and do not retry; the Worker records the reply as undelivered and logs a warning, since
// nothing is wrong on the assistant's side. Other errors retrying cannot cure (a revoked
// token, a request the platform refuses) are recorded the same way but logged as errors, for
// an operator to act on.
var ErrUndeliverable = errors.New("undeliverable")

// Texts shown to users, in Vietnamese.
const (
	// TextOnly answers an attachment that carries no text.
	TextOnly = "Xin lỗi, hiện tôi chỉ đọc được tin nhắn văn bản. Bạn vui lòng gõ câu hỏi của mình."
	// TryLater answers when the assistant failed.
	TryLater = "Xin lỗi, hệ thống đang bận nên chưa trả lời được. Bạn vui lòng thử lại sau ít phút."
	// TooLong answers a message over the assistant's size limit.
	TooLong = "Xin lỗi, tin nhắn quá dài. Bạn vui lòng rút gọn câu hỏi."
	// Empty answers a message with no usable text.
	Empty = "Bạn vui lòng gõ câu hỏi bằng văn bản để tôi có thể hỗ trợ."
	// Welcome greets a user who starts a conversation.
	Welcome = "Xin chào! Tôi là trợ lý ảo hỗ trợ tra cứu thủ tục hành chính và thông tin của cơ quan nhà nước. Bạn cần hỏi gì, hãy gõ câu hỏi để tôi giúp."
	// SourcesHeading introduces the list of cited sources.
	SourcesHeading = "Nguồn tham khảo"
)
