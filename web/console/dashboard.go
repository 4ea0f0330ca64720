package console

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/trolyao/trolyao/knowledge"
)

// The dashboard: questions per day and channel, the grounded and choice rates, ratings and the
// top unanswered groups; the table also as CSV.

type dayView struct {
	Date      string `json:"date"`
	Channel   string `json:"channel"`
	Questions int    `json:"questions"`
	Grounded  int    `json:"grounded"`
	Choices   int    `json:"choices"`
	Up        int    `json:"up"`
	Down      int    `json:"down"`
}

// days reads ?days= (default 30, at most 366), writing the error itself.
func days(w http.ResponseWriter, r *http.Request) (int, bool) {
	return intParam(w, r, "days", defaultMissedDays, 1, 366)
}

func (a *API) handleDashboard(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	n, ok := days(w, r)
	if !ok {
		return
	}
	since := a.now().AddDate(0, 0, -n)
	stats, err := a.store.AnswerStats(r.Context(), since)
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: answer stats", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the figures could not be read")
		return
	}
	turns, err := a.store.MissedTurns(r.Context(), since, maxMissedTurns)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the figures could not be read")
		return
	}
	var total dayView
	out := make([]dayView, 0, len(stats))
	for _, d := range stats {
		out = append(out, dayView{d.Date, d.Channel, d.Questions, d.Grounded, d.Choices, d.Up, d.Down})
		total.Questions += d.Questions
		total.Grounded += d.Grounded
		total.Choices += d.Choices
		total.Up += d.Up
		total.Down += d.Down
	}
	rate := func(x int) float64 {
		if total.Questions == 0 {
			return 0
		}
		return float64(x) / float64(total.Questions)
	}
	top := groupMissed(turns)
	if len(top) > 5 {
		top = top[:5]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"days": n, "by_day": out,
		"totals": map[string]any{"questions": total.Questions, "grounded_rate": rate(total.Grounded), "choice_rate": rate(total.Choices),
			"up": total.Up, "down": total.Down},
		"top_unanswered": top,
	})
}

func (a *API) handleDashboardCSV(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	n, ok := days(w, r)
	if !ok {
		return
	}
	stats, err := a.store.AnswerStats(r.Context(), a.now().AddDate(0, 0, -n))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the figures could not be read")
		return
	}
	a.audit(r, o.Name, "export.dashboard", strconv.Itoa(n)+" days")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tro-ly-ao-thong-ke.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"ngay", "kenh", "cau_hoi", "co_nguon", "hoi_lai_lua_chon", "danh_gia_tot", "danh_gia_chua_tot"})
	for _, d := range stats {
		_ = cw.Write([]string{d.Date, d.Channel, strconv.Itoa(d.Questions), strconv.Itoa(d.Grounded), strconv.Itoa(d.Choices), strconv.Itoa(d.Up), strconv.Itoa(d.Down)})
	}
	cw.Flush()
}
