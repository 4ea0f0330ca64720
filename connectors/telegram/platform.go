package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/trolyao/trolyao/connectors"
)

// MaxText is the longest text message Telegram accepts, in characters.
const MaxText = 4096

// typingEvery renews "typing…", which lasts 5 s.
const typingEvery = 4 * time.Second

// platform is Telegram as the connectors.Worker sends through it: answers in HTML parse mode
// with the sources as numbered links, sent as plain text when Telegram cannot parse them; an
// answer's choices as inline buttons; notices in plain text; "typing…"; and the /start and
// /help commands.
type platform struct {
	client      *Client
	typingEvery time.Duration
	logger      *slog.Logger
}

// Name is the channel.
func (platform) Name() string { return connectors.Telegram }

// TextLimit is MaxText.
func (platform) TextLimit() int { return MaxText }

// Render writes the answer in Telegram's HTML (see Render).
func (platform) Render(answer string, sources []connectors.Source) connectors.Text {
	return connectors.Text{Body: Render(answer, sources), HTML: true}
}

// Send sends one message: plain text as it is, HTML in parse mode, falling back to its plain
// text if Telegram cannot parse it.
func (p platform) Send(ctx context.Context, chatID string, t connectors.Text) error {
	if !t.HTML {
		_, err := p.client.SendPlain(ctx, chatID, t.Body)
		return err
	}
	_, err := p.client.SendMessage(ctx, chatID, t.Body)
	if unparsable(err) {
		p.logger.Warn("telegram: HTML refused, sending plain text", slog.String("error", err.Error()))
		_, err = p.client.SendPlain(ctx, chatID, plain(t.Body))
	}
	return err
}

// labelLimit is the longest button label, in characters: a phone shows about that much.
const labelLimit = 60

// SendChoices sends one message with an inline keyboard, a button per choice ("2. Cấp lại
// giấy phép…") whose callback data picks it (connectors.ChoicePayload); HTML falls back to
// plain text as in Send.
func (p platform) SendChoices(ctx context.Context, chatID string, t connectors.Text, choices []connectors.Choice) error {
	buttons := make([]InlineButton, len(choices))
	for i, c := range choices {
		buttons[i] = InlineButton{Text: connectors.ChoiceLabel(c, labelLimit), CallbackData: connectors.ChoicePayload(c.N)}
	}
	_, err := p.client.SendWithButtons(ctx, chatID, t.Body, t.HTML, buttons)
	if t.HTML && unparsable(err) {
		p.logger.Warn("telegram: HTML refused, sending plain text", slog.String("error", err.Error()))
		_, err = p.client.SendWithButtons(ctx, chatID, plain(t.Body), false, buttons)
	}
	return err
}

// unparsable reports whether Telegram refused a message's HTML.
func unparsable(err error) bool {
	apiErr, ok := errors.AsType[*APIError](err)
	return ok && apiErr.Code == http.StatusBadRequest && strings.Contains(apiErr.Description, "can't parse entities")
}

// Typing shows "typing…" in the chat.
func (p platform) Typing(ctx context.Context, chatID string) error {
	return p.client.SendTyping(ctx, chatID)
}

// TypingEvery is how often "typing…" is renewed.
func (p platform) TypingEvery() time.Duration { return p.typingEvery }

// Command answers /start and /help with the welcome notice.
func (platform) Command(text string) (string, bool) {
	if isCommand(text, "start") || isCommand(text, "help") {
		return connectors.Welcome, true
	}
	return "", false
}

// isCommand reports whether text is the bot command /name (possibly /name@botname args).
func isCommand(text, name string) bool {
	cmd, _, _ := strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return cmd == "/"+name
}
