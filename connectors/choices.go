package connectors

import (
	"context"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
)

// Choice is one procedure an answer asks the person to choose from, as the connectors show
// it: its number in the answer's list and its title.
type Choice struct {
	N     int
	Title string
}

// Choices returns an answer's choices. It is the one place where the connectors read the
// assistant's choices.
func Choices(cs []knowledge.Choice) []Choice {
	out := make([]Choice, 0, len(cs))
	for _, c := range cs {
		out = append(out, Choice{N: c.N, Title: c.Title})
	}
	return out
}

// Chooser is a Platform with buttons for an answer's choices (Telegram's inline keyboard,
// Messenger's quick replies). SendChoices sends the last part of such an answer with a button
// for each choice; a button pressed comes back through the platform's webhook as a Message
// whose Text is ChoiceText of its number, which the assistant reads as picking it. Platforms
// without buttons send the answer as it is: its text lists the choices by number, and the
// person answers with one.
type Chooser interface {
	SendChoices(ctx context.Context, userID string, t Text, choices []Choice) error
}

// ChoiceText is the message a pressed choice button stands for: the choice's number.
func ChoiceText(n int) string { return strconv.Itoa(n) }

// choicePrefix starts the payload of a choice button.
const choicePrefix = "choice:"

// ChoicePayload is the data a choice button carries back ("choice:2"): within Telegram's 64
// bytes of callback data and Messenger's 1,000 of quick-reply payload.
func ChoicePayload(n int) string { return choicePrefix + strconv.Itoa(n) }

// ParseChoicePayload returns the number of the choice a button's payload picks.
func ParseChoicePayload(s string) (int, bool) {
	rest, ok := strings.CutPrefix(s, choicePrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || n > 99 {
		return 0, false
	}
	return n, true
}

// ChoiceLabel is the text of a choice's button: its number and as much of its title as fits
// in limit runes ("2. Cấp lại giấy phép…").
func ChoiceLabel(c Choice, limit int) string {
	num := strconv.Itoa(c.N)
	if limit <= len(num)+3 {
		return num
	}
	return num + ". " + ShortTitle(c.Title, limit-len(num)-2)
}
