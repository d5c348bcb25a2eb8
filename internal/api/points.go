package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
)

// awardBody is an award or deduction of one scheme item. The idempotency
// key travels in the Idempotency-Key header, as clients' HTTP libraries
// retry with the same headers.
type awardBody struct {
	Item     string  `json:"item"`
	Date     string  `json:"date"` // yyyy-mm-dd; empty: today
	Channel  string  `json:"channel"`
	ProxyFor string  `json:"proxy_for"`
	Evidence string  `json:"evidence"`
	Witness  string  `json:"witness"`
	Photos   []int64 `json:"photos"` // ids from POST /api/v1/photos, by the same user
}

type awardJSON struct {
	ID        int64   `json:"id"`
	Household int64   `json:"household"`
	Village   string  `json:"village"`
	Item      string  `json:"item"`
	ItemName  string  `json:"item_name"`
	Aspect    string  `json:"aspect"`
	Points    int64   `json:"points"`
	Channel   string  `json:"channel"`
	Status    string  `json:"status"`
	Review    int64   `json:"review"`
	Entry     int64   `json:"entry,omitempty"`
	Date      string  `json:"date"`
	Actor     string  `json:"actor"`
	Created   string  `json:"created"`
	Photos    []int64 `json:"photos,omitempty"`
	// Where a listed award truthfully stands: its review's state, the
	// notice's end while on notice, and the reason it was turned down or
	// withdrawn; a correction names the award it reverses and why.
	ReviewState string `json:"review_state,omitempty"`
	NoticeUntil string `json:"notice_until,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	Corrects    int64  `json:"corrects,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

func toAward(w points.AwardRecord) awardJSON {
	out := awardJSON{ID: w.ID, Household: w.Household, Village: w.Village, Item: w.Item, ItemName: w.ItemName, Aspect: w.Aspect,
		Points: w.Points, Channel: string(w.Channel), Status: string(w.Status), Review: w.ReviewID, Entry: w.EntryID,
		Date: scheme.Day(w.Date), Actor: w.Actor, Created: localtime.In(w.Created).Format(time.RFC3339), Photos: w.Photos,
		ReviewState: string(w.ReviewState), Corrects: w.Corrects, Reason: w.Reason}
	if s := w.Show(); !s.Until.IsZero() {
		out.NoticeUntil = localtime.In(s.Until).Format(time.RFC3339)
	} else {
		out.Outcome = s.Reason
	}
	return out
}

// optionalDay reads a yyyy-mm-dd field; empty is the zero time.
func optionalDay(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fault.OnField(fault.Invalid, field, "api.date")
	}
	return d, nil
}

// idempotencyKey reads the required Idempotency-Key header.
func idempotencyKey(r *http.Request) (string, error) {
	k := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if k == "" || len(k) > 100 {
		return "", fault.OnField(fault.Invalid, "Idempotency-Key", "api.idempotency_key")
	}
	return k, nil
}

// awardCreate records an award for the household in the path and puts it
// under review. The same key with the same body answers with the first
// award; with another body, a conflict.
func (a *API) awardCreate(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return 0, nil, err
	}
	var b awardBody
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	in := points.AwardInput{Key: key, Household: id, Item: b.Item, Channel: points.Channel(b.Channel), ProxyFor: b.ProxyFor,
		Evidence: b.Evidence, Witness: b.Witness, Photos: b.Photos}
	if in.Date, err = optionalDay("date", b.Date); err != nil {
		return 0, nil, err
	}
	w, err := a.Awards.Record(r.Context(), act, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toAward(*w), nil
}

func (a *API) awardList(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	ws, err := a.Awards.Awards(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := list[awardJSON]{Items: []awardJSON{}, Total: len(ws), Limit: len(ws)}
	for _, w := range ws {
		out.Items = append(out.Items, toAward(w))
	}
	return http.StatusOK, out, nil
}

func (a *API) balance(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	bal, err := a.Ledger.Balance(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		Household int64 `json:"household"`
		Balance   int64 `json:"balance"`
	}{id, bal}, nil
}

type entryJSON struct {
	ID       int64  `json:"id"`
	Seq      int64  `json:"seq"`
	Kind     string `json:"kind"`
	Delta    int64  `json:"delta"`
	Balance  int64  `json:"balance"`
	Item     string `json:"item,omitempty"`
	Memo     string `json:"memo,omitempty"`
	Reverses int64  `json:"reverses,omitempty"`
	Actor    string `json:"actor"`
	At       string `json:"at"`
}

// statement pages backwards through a household's entries: ?before= is
// the sequence number to continue below, as the statement page does.
func (a *API) statement(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	_, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	var before int64
	if s := r.URL.Query().Get("before"); s != "" {
		if before, err = strconv.ParseInt(s, 10, 64); err != nil || before < 0 {
			return 0, nil, fault.OnField(fault.Invalid, "before", "api.offset")
		}
	}
	es, err := a.Ledger.Statement(r.Context(), act, id, before, limit)
	if err != nil {
		return 0, nil, err
	}
	out := list[entryJSON]{Items: []entryJSON{}, Total: len(es), Limit: limit}
	for _, e := range es {
		out.Items = append(out.Items, entryOf(e))
	}
	return http.StatusOK, out, nil
}

func entryOf(e points.Entry) entryJSON {
	return entryJSON{ID: e.ID, Seq: e.Seq, Kind: string(e.Kind), Delta: e.Delta, Balance: e.Balance,
		Item: e.Item, Memo: e.Memo, Reverses: e.Reverses, Actor: e.Actor, At: localtime.In(e.At).Format(time.RFC3339)}
}

type rankedJSON struct {
	Rank       int    `json:"rank"`
	Household  int64  `json:"household,omitempty"`
	Head       string `json:"head,omitempty"`
	Village    string `json:"village"`
	Name       string `json:"name,omitempty"`
	Points     int64  `json:"points"`
	Awards     int    `json:"awards"`
	Households int    `json:"households,omitempty"`
	Total      int    `json:"total,omitempty"`
	// PerHousehold is points per registered household, for by=regions.
	PerHousehold string `json:"per_household,omitempty"`
}

// rankings answers ?region=&period=&aspect=&by=households|villages|regions
// (&order=per_household|participation for regions). The period defaults
// to this month in the deployment's zone.
func (a *API) rankings(r *http.Request, act *access.Actor) (int, any, error) {
	q := r.URL.Query()
	region, per, aspect := q.Get("region"), q.Get("period"), q.Get("aspect")
	if region == "" {
		// The caller's own scope, as the rankings page does.
		if s := act.Scopes(access.RegistryRead); len(s) > 0 {
			region = s[0]
		}
	}
	if per == "" {
		per = scheme.Today(time.Now()).Format("2006-01")
	}
	_, limit, err := page(r)
	if err != nil {
		return 0, nil, err
	}
	var rs []points.Ranked
	switch q.Get("by") {
	case "", "households":
		rs, err = a.Rankings.Households(r.Context(), act, region, per, aspect, limit)
	case "villages":
		rs, err = a.Rankings.Villages(r.Context(), act, region, per, aspect)
	case "regions":
		order := points.RegionOrder(q.Get("order"))
		if order == "" {
			order = points.ByPerHousehold
		}
		rs, err = a.Rankings.Regions(r.Context(), act, region, per, aspect, order)
	default:
		return 0, nil, fault.OnField(fault.Invalid, "by", "api.ranking_by")
	}
	if err != nil {
		return 0, nil, err
	}
	out := list[rankedJSON]{Items: []rankedJSON{}, Total: len(rs), Limit: len(rs)}
	for _, x := range rs {
		out.Items = append(out.Items, rankedJSON{Rank: x.Rank, Household: x.Household, Head: x.Head, Village: x.Village, Name: x.Name,
			Points: x.Points, Awards: x.Awards, Households: x.Households, Total: x.Total})
		if q.Get("by") == "regions" {
			out.Items[len(out.Items)-1].PerHousehold = x.PerHousehold()
		}
	}
	return http.StatusOK, out, nil
}

type decisionBody struct {
	Decision string `json:"decision"` // approve, reject or return
	Reason   string `json:"reason"`
}

// reviewDecide records a decision at a review item's approval step; the
// review engine refuses a skipped or repeated step.
func (a *API) reviewDecide(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var b decisionBody
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	it, err := a.Review.Decide(r.Context(), act, id, review.Decision(b.Decision), b.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		ID    int64  `json:"id"`
		Step  int    `json:"step"`
		State string `json:"state"`
	}{it.ID, it.Step, string(it.State)}, nil
}
