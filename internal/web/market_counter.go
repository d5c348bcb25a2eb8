package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/market"
)

type counterGoods struct {
	market.Goods
	Left int64 // units the household may still take; -1 without a limit
	Qty  string
}

type counterPage struct {
	Store    *market.Store
	Query    string
	Searched bool
	Found    []market.Customer
	Customer *market.Customer
	Goods    []counterGoods
	Key      string
	Error    string
	Problems []string
}

// counter is the till. The scanner types a card's token (or its whole
// link) into the autofocused field and presses Enter; a name, pinyin
// initials or 户号 typed there searches instead. With one household found,
// the basket is drawn with a fresh idempotency key, so a double click, a
// back-button resubmit or a retried post redeems once.
func (w *Web) counter(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	st, err := w.storeOf(r, a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.counter", "market")
	v.Title = v.T("page.counter_of", st.Name)
	v.Crumbs = append(storeCrumbs(v, st), crumb{Label: v.T("page.counter")})
	p := &counterPage{Store: st, Query: strings.TrimSpace(r.FormValue("q")), Key: r.FormValue("key")}
	hh := formInt(r, "household")
	status := http.StatusOK
	if r.Method == http.MethodPost {
		b := market.Basket{Key: p.Key, Store: st.ID, Household: hh}
		for k, vals := range r.PostForm {
			var id int64
			if _, err := fmt.Sscanf(k, "q%d", &id); err == nil && len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
				b.Items = append(b.Items, market.Item{Goods: id, Qty: formInt(r, k)})
			}
		}
		red, err := w.Market.Redeem(r.Context(), a, b)
		if err == nil {
			seeOther(rw, r, fmt.Sprintf("/redemptions/%d", red.ID), "redeemed")
			return
		}
		var ok bool
		if p.Error, ok = w.inlineError(rw, r, v, err); !ok {
			return
		}
		var fe *fault.Error
		if errors.As(err, &fe) && len(fe.Fields) > 1 {
			for _, f := range fe.Fields {
				p.Problems = append(p.Problems, v.M(f.Msg))
			}
		}
		status = fault.HTTPStatus(fault.CodeOf(err))
	} else if p.Query != "" {
		p.Searched = true
		if p.Found, err = w.Market.FindCustomers(r.Context(), a, st.ID, p.Query); err != nil {
			w.fail(rw, r, err)
			return
		}
		if len(p.Found) == 1 {
			hh = p.Found[0].Household
		}
	} else if _, err := w.Market.FindCustomers(r.Context(), a, st.ID, ""); err != nil {
		w.fail(rw, r, err) // the till itself is only for those who sell here
		return
	}
	if hh > 0 {
		if err := w.basket(r, a, p, hh); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	v.Data = p
	w.render(rw, status, "market_counter", v)
}

// basket fills the counter page for one household: its balance, the goods
// on the shelf with what it may still take, and the key for this basket.
func (w *Web) basket(r *http.Request, a *access.Actor, p *counterPage, hh int64) error {
	c, err := w.Market.Customer(r.Context(), a, p.Store.ID, hh)
	if err != nil {
		return err
	}
	gs, err := w.Market.Goods(r.Context(), a, p.Store.ID)
	if err != nil {
		return err
	}
	p.Customer = c
	for _, g := range gs {
		if g.OnShelf {
			p.Goods = append(p.Goods, counterGoods{Goods: g, Left: c.Left(g), Qty: r.PostFormValue(fmt.Sprintf("q%d", g.ID))})
		}
	}
	if p.Key == "" {
		p.Key = newKey()
	}
	return nil
}

type receiptPage struct {
	R         *market.Redemption
	Paper     string
	Doc       template.HTML // the receipt, the same document as its PDF
	CanReturn bool
	Error     string
}

// receiptPaper reads ?paper=: 58 or 80 mm rolls, A4 otherwise.
func receiptPaper(r *http.Request) (string, document.Paper) {
	switch p := r.URL.Query().Get("paper"); p {
	case "58":
		return p, document.Receipt58
	case "80":
		return p, document.Receipt80
	}
	return "a4", document.A4
}

// receipt shows a redemption as a receipt for 58 mm or 80 mm thermal
// paper (as long as its content) or for A4, with a print button, its PDF
// and the return form while returns are open; receipt.pdf is the PDF.
func (w *Web) receipt(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.showReceipt(rw, r, a, http.StatusOK, "")
}

func (w *Web) showReceipt(rw http.ResponseWriter, r *http.Request, a *access.Actor, status int, msg string) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	red, err := w.Market.Redemption(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	st, err := w.Market.Store(r.Context(), a, red.Store)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.receipt", "market")
	paper, size := receiptPaper(r)
	html, ok := w.printOrHTML(rw, r, w.printouts().Receipt(v.Lang, red, size), v.T("page.receipt_no", red.ID))
	if !ok {
		return
	}
	v.Crumbs = append(storeCrumbs(v, st), crumb{Label: v.T("page.receipt_no", red.ID)})
	v.Data = &receiptPage{R: red, Paper: paper, Doc: html, CanReturn: sells(a, st) && !red.Returned && !w.Now().After(red.ReturnDeadline), Error: msg}
	w.render(rw, status, "market_receipt", v)
}

// receiptReturn takes a redemption back.
func (w *Web) receiptReturn(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if _, err := w.Market.Return(r.Context(), a, id, r.FormValue("reason")); err != nil {
		v := w.newView(r, "page.receipt", "market")
		msg, ok := w.inlineError(rw, r, v, err)
		if ok {
			w.showReceipt(rw, r, a, fault.HTTPStatus(fault.CodeOf(err)), msg)
		}
		return
	}
	seeOther(rw, r, "/redemptions/"+strconv.FormatInt(id, 10), "returned")
}
