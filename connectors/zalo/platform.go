package zalo

import (
	"context"
	"fmt"
	"time"

	"github.com/trolyao/trolyao/assistant"

	"github.com/trolyao/trolyao/connectors"
)

// MaxText is the longest text message Zalo accepts, in characters.
const MaxText = 2000

// platform is Zalo as the connectors.Worker sends through it: plain text with the sources as
// "[1] Title — URL" lines, customer-service messages, no typing indicator.
type platform struct{ client *Client }

// Name is the channel.
func (platform) Name() string { return connectors.Zalo }

// TextLimit is MaxText.
func (platform) TextLimit() int { return MaxText }

// Render writes the answer as plain text.
func (platform) Render(answer string, sources []connectors.Source) connectors.Text {
	return connectors.Text{Body: connectors.PlainText(answer, sources)}
}

// Send sends one customer-service text message.
func (p platform) Send(ctx context.Context, userID string, t connectors.Text) error {
	_, err := p.client.SendText(ctx, userID, t.Body)
	return err
}

// Zalo's limits on customer-service messages: an OA may send FreeReplies free replies within
// FreeReplyWindow of the user's last message (the count restarts with each message from the
// user); later or further messages count against the OA's quota of proactive messages, and
// none can be sent once the user has not written for ServiceWindow.
const (
	FreeReplies     = 8
	FreeReplyWindow = 48 * time.Hour
	ServiceWindow   = 7 * 24 * time.Hour
)

// Window is Zalo's: free replies and the customer-service window.
func (platform) Window(last time.Time, sentSince int, now time.Time) assistant.Window {
	until := last.Add(ServiceWindow)
	if last.IsZero() || !now.Before(until) {
		return assistant.Window{Open: false, Until: until, FreeLeft: 0,
			Note: "Người dân không nhắn cho OA trong 7 ngày qua: Zalo không cho phép gửi tin tư vấn cho đến khi người dân nhắn lại."}
	}
	free := 0
	if freeUntil := last.Add(FreeReplyWindow); now.Before(freeUntil) && sentSince < FreeReplies {
		free = FreeReplies - sentSince
		return assistant.Window{Open: true, Until: until, FreeLeft: free,
			Note: fmt.Sprintf("Còn %d tin phản hồi miễn phí đến %s; sau đó tin gửi đi được tính vào hạn mức tin chủ động của OA.", free, connectors.VietnamTime(freeUntil))}
	}
	return assistant.Window{Open: true, Until: until, FreeLeft: 0,
		Note: "Đã hết tin phản hồi miễn phí: tin gửi đi được tính vào hạn mức tin chủ động của OA (gửi được đến " + connectors.VietnamTime(until) + ")."}
}
