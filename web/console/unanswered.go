package console

import (
	"cmp"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// The unanswered queue: what citizens asked that the assistant refused, asked back about, or
// answered to a 👎, grouped by similar question (the same content words, with or without
// diacritics), so that an operator answers each group once (POST /api/v1/faq).

// Unanswered queue settings.
const (
	defaultMissedDays = 30
	maxMissedTurns    = 5000
	// groupSimilarity is the least share of content words two questions must share (Jaccard)
	// to be one group.
	groupSimilarity = 0.6
)

// MissedGroup is a group of similar questions the assistant did not answer well.
type MissedGroup struct {
	Key       string    `json:"key"`     // the group's content words, folded: dismiss it by this
	Example   string    `json:"example"` // the latest question of the group
	Count     int       `json:"count"`
	LastAsked time.Time `json:"last_asked"`
	Channels  []string  `json:"channels"`
	Refused   int       `json:"refused"`    // answered "not in the knowledge base"
	Choices   int       `json:"choices"`    // asked which procedure was meant
	RatedDown int       `json:"rated_down"` // answered, and rated 👎

	words map[string]bool
}

// groupMissed groups missed turns (newest first) by similar question, biggest groups first.
// Questions with fewer than two content words ("alo", "cảm ơn") are left out.
func groupMissed(turns []knowledge.MissedTurn) []*MissedGroup {
	var groups []*MissedGroup
	for _, t := range turns {
		words := contentWords(t.Question)
		if len(words) < 2 {
			continue
		}
		var g *MissedGroup
		for _, c := range groups {
			if jaccard(c.words, words) >= groupSimilarity {
				g = c
				break
			}
		}
		if g == nil {
			keys := make([]string, 0, len(words))
			for w := range words {
				keys = append(keys, w)
			}
			slices.Sort(keys)
			g = &MissedGroup{Key: strings.Join(keys, " "), Example: t.Question, LastAsked: t.At, words: words}
			groups = append(groups, g)
		}
		g.Count++
		if !slices.Contains(g.Channels, t.Channel) {
			g.Channels = append(g.Channels, t.Channel)
		}
		switch {
		case t.Choices:
			g.Choices++
		case !t.Grounded:
			g.Refused++
		case t.Rating == "down":
			g.RatedDown++
		}
	}
	for _, g := range groups {
		slices.Sort(g.Channels)
	}
	slices.SortStableFunc(groups, func(a, b *MissedGroup) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.LastAsked.Compare(a.LastAsked))
	})
	return groups
}

// contentWords returns the folded words of a question that are not function words.
func contentWords(q string) map[string]bool {
	out := map[string]bool{}
	for _, t := range vietnamese.Tokenize(q) {
		if t.Part || t.Kind != vietnamese.Word || len(t.Fold) < 2 || vietnamese.IsStopword(t.Text) {
			continue
		}
		out[t.Fold] = true
	}
	return out
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

func (a *API) handleUnanswered(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	n, ok := days(w, r)
	if !ok {
		return
	}
	turns, err := a.store.MissedTurns(r.Context(), a.now().AddDate(0, 0, -n), maxMissedTurns)
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: missed turns", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the unanswered questions could not be read")
		return
	}
	dismissed, err := a.store.DismissedMissed(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the unanswered questions could not be read")
		return
	}
	out := []*MissedGroup{}
	for _, g := range groupMissed(turns) {
		// A dismissed group comes back when it is asked again after the dismissal.
		if at, ok := dismissed[g.Key]; ok && !g.LastAsked.After(at) {
			continue
		}
		out = append(out, g)
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": out, "days": n})
}

func (a *API) handleDismiss(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	var in struct {
		Key string `json:"key"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || strings.TrimSpace(in.Key) == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", `want {"key"} of a group`)
		return
	}
	if err := a.store.DismissMissed(r.Context(), in.Key, o.Name, a.now()); err != nil {
		a.logger.ErrorContext(r.Context(), "console: dismiss", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the group could not be dismissed")
		return
	}
	a.audit(r, o.Name, "unanswered.dismiss", in.Key)
	w.WriteHeader(http.StatusNoContent)
}
