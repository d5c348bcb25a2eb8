package web

import (
	"net/http"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/talent"
)

func (w *Web) leaderRecognise(r *http.Request, a *access.Actor, id int64) error {
	return w.Talent.Recognise(r.Context(), a, id, talent.RecognitionInput{Decision: talent.Recognition(r.FormValue("decision")), Day: r.FormValue("day"),
		Reason: r.FormValue("reason")})
}

func (w *Web) leaderPlan(r *http.Request, a *access.Actor, id int64) error {
	hours, ok := talentInt(r, "hours")
	if !ok {
		return fault.OnField(fault.Invalid, "hours", "talent.candidate.number_invalid")
	}
	return w.Talent.AddPlan(r.Context(), a, id, talent.PlanInput{Kind: talent.PlanKind(r.FormValue("kind")), Title: r.FormValue("title"),
		Provider: r.FormValue("provider"), Day: r.FormValue("day"), Hours: int(hours), Note: r.FormValue("note")})
}

func (w *Web) leaderSupport(r *http.Request, a *access.Actor, id int64) error {
	amount, ok := talentInt(r, "amount")
	if !ok {
		return fault.OnField(fault.Invalid, "amount", "talent.support.amount_invalid")
	}
	return w.Talent.AddSupport(r.Context(), a, id, talent.SupportInput{Kind: talent.SupportKind(r.FormValue("kind")), Amount: amount,
		Source: r.FormValue("source"), Day: r.FormValue("day"), Note: r.FormValue("note")})
}

// leaderShowcase records the leader's consent and showcase details, and a
// product photo when one is attached.
func (w *Web) leaderShowcase(r *http.Request, a *access.Actor, id int64) error {
	people, ok := talentInt(r, "people")
	if !ok {
		return fault.OnField(fault.Invalid, "people", "talent.candidate.number_invalid")
	}
	err := w.Talent.SetShowcase(r.Context(), a, id, talent.Showcase{Published: r.FormValue("published") == "1", ConsentDay: r.FormValue("consent_day"),
		LiveChannels: r.FormValue("live_channels"), Cities: r.FormValue("cities"), Fairs: r.FormValue("fairs"), People: int(people)})
	if err != nil || r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 || r.MultipartForm.File["file"][0].Size == 0 {
		return err
	}
	return eachUpload(r, func(_ talent.AttachmentKind, _ bool, data []byte) error {
		_, err := w.Talent.AddShowcasePhoto(r.Context(), a, id, "", data)
		return err
	})
}

type supportView struct {
	Region     string
	RegionName string
	Rows       []talent.SupportSum
	Kinds      []talent.SupportKind
	Total      talent.SupportSum
}

// talentSupportPage sums the policy-support ledger of a region per area
// below it and tier (配套支持汇总).
func (w *Web) talentSupportPage(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.support", "talent")
	v.Crumbs = []crumb{{Label: v.T("talent.nav"), Href: "/talent"}, {Label: v.T("talent.page.support")}}
	d := &supportView{Region: code, Kinds: talent.SupportKinds, Total: talent.SupportSum{ByKind: map[talent.SupportKind]int64{}}}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Rows, err = w.Talent.SupportSums(r.Context(), a, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, x := range d.Rows {
		for k, n := range x.ByKind {
			d.Total.ByKind[k] += n
		}
		d.Total.Total += x.Total
		d.Total.Entries += x.Entries
		d.Total.People += x.People
	}
	v.Data = d
	w.render(rw, http.StatusOK, "talent_support", v)
}

type showcaseView struct {
	Banner   string
	Industry string
	Banners  []option
	Rows     []talent.ShowcaseEntry
}

// showcasePage is the public showcase (示范引领): recognised leaders who
// agreed to it, by banner and industry, with their products, channels,
// fairs and the people their business drives.
func (w *Web) showcasePage(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &showcaseView{Banner: q.Get("banner"), Industry: strings.TrimSpace(q.Get("industry"))}
	rows, err := w.Talent.Showcase(r.Context(), d.Banner, d.Industry)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Rows = rows
	// The banner choices are those with someone to show, so the list is
	// never a dead end.
	seen := map[string]bool{}
	all, err := w.Talent.Showcase(r.Context(), "", "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, e := range all {
		if !seen[e.Banner] {
			seen[e.Banner] = true
			d.Banners = append(d.Banners, option{Value: e.Banner, Label: e.BannerName})
		}
	}
	// The showcase lists leaders of many villages, so no one village's
	// script setting can decide it. The rule: each leader's card follows
	// its own village's setting (a gacha's leader gets the Mongolian
	// texts and the Mongolian name the register records, a 村's leader
	// Chinese alone), and the page's own heading is bilingual when any
	// card on it is, since a page with Mongolian cards is read by people
	// who read Mongolian. The search form is a control, not a public
	// text, and stays Chinese.
	v := w.newView(r, "talent.page.showcase", "")
	for _, e := range rows {
		if e.Bilingual {
			v.Bilingual, v.MongolCSS = true, w.font.cssPath
			break
		}
	}
	v.biTitle("talent.page.showcase", nil, nil)
	v.Data = d
	w.render(rw, http.StatusOK, "talent_showcase", v)
}

// showcasePhoto serves a published leader's product photo.
func (w *Web) showcasePhoto(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var ctype string
	var data []byte
	if err == nil {
		ctype, data, err = w.Talent.ShowcasePhoto(r.Context(), id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	photo.Serve(rw, ctype, data, "public, max-age=3600")
}
