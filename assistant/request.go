package assistant

import (
	"errors"

	"github.com/trolyao/trolyao/knowledge"
)

// Audience is who the assistant is talking to; wording and emphasis differ.
type Audience string

// Audiences.
const (
	Citizen Audience = "citizen" // people asking about public services (the default)
	Staff   Audience = "staff"   // civil servants asking about plans and targets
)

// ParseAudience returns the audience named s ("" gives Citizen), or ErrInvalidRequest.
func ParseAudience(s string) (Audience, error) {
	switch Audience(s) {
	case "":
		return Citizen, nil
	case Citizen, Staff:
		return Audience(s), nil
	}
	return "", errors.Join(ErrInvalidRequest, errors.New(`audience must be "citizen" or "staff"`))
}

// Errors returned by Ask.
var (
	// ErrInvalidRequest: the message is empty or a field has an unknown value.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrTooLarge: the message is longer than the configured limit.
	ErrTooLarge = errors.New("message too large")
	// ErrUnknownSession: the session ID names no session.
	ErrUnknownSession = errors.New("unknown session")
)

// Request is one question to the assistant.
type Request struct {
	Message string
	// SessionID continues a conversation; empty starts a new one (or finds the platform user's
	// session when Channel and UserKey are set).
	SessionID string
	// Audience overrides the session's audience when set.
	Audience Audience
	// Channel names where the question came from: "api", "web", "zalo", "messenger", "telegram".
	Channel string
	// UserKey identifies a messaging-platform user (pseudonymised by the connector); one session
	// per channel and user.
	UserKey string
	// Address is where the platform user can be reached when an operator writes to them (the
	// connector's sealed form of the platform id); saved with the session.
	Address string
	// Locality is a default place for questions that name none (a district's own channel).
	Locality string
	// OnStart, when set, is called once the question is recorded and before the answer is
	// produced, with the session and the ID the answer message will have: streaming clients
	// label deltas with it.
	OnStart func(sessionID, messageID string)
}

// Reply is the assistant's answer.
type Reply struct {
	SessionID string
	MessageID string
	Answer    string
	Grounded  bool
	Citations []knowledge.Citation
	// Choices, when set, are the procedures the assistant asks the person to choose from: it
	// could not tell which one the question is about. Such a reply is not grounded and cites
	// nothing; the next message ("2", "cái thứ hai", or a title) picks one.
	Choices []knowledge.Choice
	// Card, when the answer is about a procedure, is that procedure at a glance, and
	// Suggestions are questions to ask next about it (the facets the question did not ask).
	Card        *Card
	Suggestions []string
	// Handover is set when an operator has taken the conversation over: the question was
	// recorded for the operator, who answers it; Answer is empty.
	Handover bool
	// HumanRequested is set when the message asked for a member of staff: the conversation
	// joined the console's queue and Answer is a notice saying so (MessageID names it).
	HumanRequested bool
}
