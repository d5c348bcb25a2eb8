package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
)

// reviewQueue is the committee's queue: each item with what it is decided
// on, and a message and the typed reason at an item whose decision failed.
type reviewQueue struct {
	State   review.State
	States  []review.State
	Items   []points.QueueItem
	Pending int
	Errors  map[int64]string
	Reasons map[int64]string
	General string // a failure of no one item (nothing ticked)
}

// reviews is the committee's queue: awards waiting for a decision, or on
// notice with their objections, in the reviewer's villages.
func (w *Web) reviews(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.renderQueue(rw, r, a, http.StatusOK, nil, nil)
}

// renderQueue draws the queue for the state asked for (the form's state
// on a POST), with errors beside their items; status is 200, or the
// failed decision's status so a script sees the refusal.
func (w *Web) renderQueue(rw http.ResponseWriter, r *http.Request, a *access.Actor, status int, errs, reasons map[int64]string) {
	if !a.CanAnywhere(access.PointsApprove) {
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	}
	state := review.State(r.FormValue("state"))
	if state == "" {
		state = review.Pending
	}
	items, err := w.Awards.Queue(r.Context(), a, state)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := &reviewQueue{State: state, States: []review.State{review.Pending, review.InNotice}, Items: items, Errors: errs, Reasons: reasons, General: errs[0]}
	for _, it := range items {
		if it.Item.State == review.Pending {
			q.Pending++
		}
	}
	if state == review.InNotice {
		others, err := w.objected(r, a)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		q.Items = append(q.Items, others...)
	}
	v := w.newView(r, "page.reviews", "reviews")
	if len(errs) > 0 && errs[0] == "" {
		v.Flash = v.T("review.some_failed", len(errs))
	}
	v.Data = q
	w.render(rw, status, "reviews", v)
}

// objected lists the items of flows other than the award's that stand on
// notice with objections open, each with its open objections: the engine
// lets any flow's objections be resolved from this queue.
func (w *Web) objected(r *http.Request, a *access.Actor) ([]points.QueueItem, error) {
	items, err := w.Review.Items(r.Context(), a, review.Filter{State: review.InNotice, Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []points.QueueItem
	for _, it := range items {
		if it.Flow == points.AwardFlow || it.OpenObjections == 0 {
			continue
		}
		full, err := w.Review.Item(r.Context(), a, it.ID)
		if err != nil {
			return nil, err
		}
		q := points.QueueItem{Item: *full, Head: full.Summary.Person}
		for _, o := range full.Objections {
			if o.State == review.ObjOpen {
				q.Objection = append(q.Objection, o)
			}
		}
		out = append(out, q)
	}
	return out, nil
}

// queueBack is where a queue action returns: the tab it came from.
func queueBack(r *http.Request) string {
	if s := review.State(r.FormValue("state")); s != "" && s != review.Pending && s.Valid() {
		return "/reviews?state=" + string(s)
	}
	return "/reviews"
}

// queueFailed shows a user's mistake at its item on the queue, keeping what
// they typed; any other error gets the error page.
func (w *Web) queueFailed(rw http.ResponseWriter, r *http.Request, a *access.Actor, id int64, err error) {
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code == fault.Internal || fe.Code == fault.Unauthorized {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.reviews", "reviews")
	msg := w.Catalog.Text(v.Lang, fe.Msg)
	for _, f := range fe.Fields {
		msg = w.Catalog.Text(v.Lang, f.Msg)
	}
	w.renderQueue(rw, r, a, statusOf(fe.Code), map[int64]string{id: msg}, map[int64]string{id: r.FormValue("reason")})
}

// statusOf is the page status of a refused queue action.
func statusOf(c fault.Code) int {
	switch c {
	case fault.Conflict:
		return http.StatusConflict
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.NotFound:
		return http.StatusNotFound
	}
	return http.StatusUnprocessableEntity
}

// reviewDecide records the committee's decision on one item; a decision
// the engine refuses (不通过 without a reason) comes back on the queue, at
// its item, with the reason typed so far.
func (w *Web) reviewDecide(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if _, err := w.Review.Decide(r.Context(), a, id, review.Decision(r.FormValue("decision")), r.FormValue("reason")); err != nil {
		w.queueFailed(rw, r, a, id, err)
		return
	}
	seeOther(rw, r, queueBack(r), "saved")
}

// maxApproveMany bounds one bulk approval: a month's inspection sheet of
// the largest village, with room to spare.
const maxApproveMany = 1000

// reviewApproveMany approves the pending items a committee member ticked,
// or every pending item the queue showed, in one go: a sheet of 300
// inspection awards is one decision, not 300 clicks. Each item is its own
// transaction, so one that someone else decided meanwhile, or that the
// member may not decide (回避), is shown at its item while the rest
// proceed.
func (w *Web) reviewApproveMany(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	ids := r.PostForm["id"]
	if r.PostFormValue("all") != "" {
		ids = r.PostForm["shown"]
	}
	if len(ids) == 0 || len(ids) > maxApproveMany {
		w.queueFailed(rw, r, a, 0, fault.E(fault.Invalid, "review.choose", maxApproveMany))
		return
	}
	v := w.newView(r, "page.reviews", "reviews")
	failed := map[int64]string{}
	var named []string
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		_, err = w.Review.Decide(r.Context(), a, id, review.Approve, "")
		var fe *fault.Error
		switch {
		case err == nil:
		case errors.As(err, &fe) && fe.Code != fault.Internal:
			failed[id] = w.Catalog.Text(v.Lang, fe.Msg)
			named = append(named, "#"+s+" "+failed[id])
		default:
			w.fail(rw, r, err)
			return
		}
	}
	if len(failed) > 0 {
		// Items decided meanwhile are no longer on the queue, so the
		// summary on top names every one that failed.
		failed[0] = v.T("review.approved_some", len(ids)-len(named), len(named), strings.Join(named, "；"))
		w.renderQueue(rw, r, a, http.StatusConflict, failed, nil)
		return
	}
	seeOther(rw, r, "/reviews", "approved")
}

// reviewResolve upholds or dismisses an objection to an item on notice,
// with the reason the public notice shows beside it.
func (w *Web) reviewResolve(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	oid, _ := strconv.ParseInt(r.FormValue("objection"), 10, 64)
	if err := w.resolveObjection(r, a, id, oid, r.FormValue("uphold") == "1", r.FormValue("reason")); err != nil {
		w.queueFailed(rw, r, a, id, err)
		return
	}
	seeOther(rw, r, queueBack(r), "saved")
}

// resolveObjection resolves objection oid, which must be one lodged
// against review item id: every flow's page names the item it acts on,
// so an objection id from elsewhere is refused as unknown.
func (w *Web) resolveObjection(r *http.Request, a *access.Actor, id, oid int64, uphold bool, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return fault.OnField(fault.Invalid, "reason", "review.reason.required")
	}
	it, err := w.Review.Item(r.Context(), a, id)
	if err != nil {
		return err
	}
	for _, o := range it.Objections {
		if o.ID == oid {
			_, err := w.Review.ResolveObjection(r.Context(), a, oid, uphold, reason)
			return err
		}
	}
	return fault.OnField(fault.Invalid, "objection", "review.objection.not_found")
}

// reviewWithdraw takes an item back from review (已撤回), with a reason,
// and returns to the household the award was recorded for.
func (w *Web) reviewWithdraw(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if _, err := w.Review.Withdraw(r.Context(), a, id, r.FormValue("reason")); err != nil {
		w.fail(rw, r, err)
		return
	}
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/reviews"
	}
	seeOther(rw, r, back, "withdrawn")
}
