package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/server"
	"shanzhi/internal/talent"
)

// The applicant's own pages (个人申报): anyone may apply to an open round
// without an account, returning migrants and newcomers from town above
// all, and then keeps their application through a private link. The
// link's token is the only key: it is 256 random bits, never stored, and
// every form under it posts to a path that carries it, so another site
// cannot forge a post without knowing it; the middleware's cross-origin
// check covers the first form, which has no token yet.

// applyReader is who reads the round's regions for the public page, as a
// reader of the round's own region would: names and codes only.
func applyReader(round *talent.Round) *access.Actor {
	return &access.Actor{Username: "apply", Grants: []access.Grant{{Role: access.Reviewer, Region: round.Region}}}
}

type applyChoice struct {
	Round *talent.Round
	Area  string
	Name  string
	Areas []region.Region
}

// talentApply is the public application form of a round. A round runs at
// a league of some 850 villages, so the applicant first picks their
// banner and township, and then their village from a short list.
func (w *Web) talentApply(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "round")
	var round *talent.Round
	if err == nil {
		round, err = w.Talent.OpenRound(r.Context(), id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The body is read under its cap before the form below reads values.
	if r.Method == http.MethodPost {
		if err := w.parseForm(rw, r); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	reader := applyReader(round)
	area := r.URL.Query().Get("area")
	if area == "" {
		area = round.Region
	}
	if !regioncode.ValidCode(area) || !regioncode.Covers(round.Region, area) {
		w.fail(rw, r, fault.E(fault.NotFound, "region.not_found"))
		return
	}
	name, err := w.regionTitle(r, reader, area)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.apply", "")
	v.Title = v.T("talent.page.apply_to", round.Name)
	if l := regioncode.LevelOf(area); l != regioncode.Township && l != regioncode.Village {
		kids, err := w.Regions.Children(r.Context(), reader, area)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		d := &applyChoice{Round: round, Area: area, Name: name}
		for _, k := range kids {
			if k.Status == region.Active {
				d.Areas = append(d.Areas, k)
			}
		}
		v.Data = d
		w.render(rw, http.StatusOK, "talent_apply", v)
		return
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("talent.action.apply"), Cancel: "/apply/" + strconv.FormatInt(round.ID, 10),
		Intro:  v.T("talent.intro.apply", round.Name, round.Opens, round.Closes, name),
		Fields: w.candidateFields(v, r, w.villagesUnder(r, reader, area), nil)}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in, err := applicantInput(w, r, round.ID)
	if err == nil && !regioncode.Covers(area, in.Village) {
		err = fault.OnField(fault.Invalid, "village", "talent.candidate.outside_round")
	}
	if err == nil {
		var token string
		if _, token, err = w.Talent.Apply(r.Context(), in); err == nil {
			seeOther(rw, r, "/apply/t/"+token, "talent_applied")
			return
		}
	}
	w.formOrFail(rw, r, v, f, err)
}

type applicantPage struct {
	C           *talent.Candidate
	Token       string
	Link        string // the whole address, to copy or bookmark
	Attachments []talent.Attachment
	Levels      []levelView
	StepName    string
	Editable    bool
	Kinds       []option
	Error       string
	Problems    []string
	MaxMB       int
	Max         int
}

// applicantShow draws the private link's page: the application as its
// applicant sees it (ID number and phone masked, reviewers' scores and
// comments left out), its files, where it stands and why it came back.
func (w *Web) applicantShow(rw http.ResponseWriter, r *http.Request, actErr error) {
	token := r.PathValue("token")
	c, atts, err := w.Talent.Applicant(r.Context(), token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "talent.page.applicant", "")
	scheme := "http"
	if server.IsHTTPS(r) {
		scheme = "https"
	}
	p := &applicantPage{C: c, Token: token, Link: scheme + "://" + r.Host + "/apply/t/" + token, Attachments: atts, Editable: c.Status.Editable(),
		Kinds: attachmentKinds(v),
		MaxMB: talent.MaxAttachmentBytes >> 20, Max: talent.MaxAttachments}
	flow := talent.ReviewFlow()
	for _, l := range c.Levels {
		p.Levels = append(p.Levels, levelView{LevelResult: l, Name: v.T(flow.Steps[l.Step].Name)})
	}
	if c.Status == talent.InReview {
		p.StepName = v.T(flow.Steps[min(c.Step, talent.NoticeStep)].Name)
	}
	status, msg, problems := talentRefusal(v, actErr)
	p.Error, p.Problems = msg, problems
	v.Data = p
	w.render(rw, status, "talent_applicant", v)
}

func (w *Web) applicantPage(rw http.ResponseWriter, r *http.Request) { w.applicantShow(rw, r, nil) }

// applicantPost reads a post under a private link, limited per client
// address like the other public forms, and runs act with the token; the
// page is drawn again with a refusal it can explain.
func (w *Web) applicantPost(flash string, act func(r *http.Request, token string) error) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		err := w.parseForm(rw, r)
		if err == nil {
			err = applyLimited(w, r)
		}
		if err == nil {
			err = act(r, r.PathValue("token"))
		}
		w.afterAct(rw, r, err, "/apply/t/"+url.PathEscape(r.PathValue("token")), flash, func(err error) { w.applicantShow(rw, r, err) })
	}
}

// applyLimited counts a public post against the client address's budget,
// the one the public notice's objections share: well above an honest
// applicant's few saves, far below a flood of drafts.
func applyLimited(w *Web, r *http.Request) error {
	return server.Limited(w.Limits.Card, "apply:"+access.RequestFrom(r.Context()).ClientKey())
}

// applicantInput reads a public application form once the client is
// within its budget.
func applicantInput(w *Web, r *http.Request, round int64) (talent.CandidateInput, error) {
	if err := applyLimited(w, r); err != nil {
		return talent.CandidateInput{}, err
	}
	return candidateInput(r, round)
}

func (w *Web) applicantSubmit(r *http.Request, token string) error {
	_, err := w.Talent.SubmitByToken(r.Context(), token)
	return err
}

func (w *Web) applicantAttach(r *http.Request, token string) error {
	return eachUpload(r, func(kind talent.AttachmentKind, public bool, data []byte) error {
		_, err := w.Talent.AttachByToken(r.Context(), token, kind, public, data)
		return err
	})
}

// eachUpload hands every file of an attachment form to add, with the
// kind and public mark the form chose. Files are read no further than one
// byte past the limit, so an oversized one is refused by its size.
func eachUpload(r *http.Request, add func(kind talent.AttachmentKind, public bool, data []byte) error) error {
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["file"] {
			if fh.Size > 0 {
				files = append(files, fh)
			}
		}
	}
	if len(files) == 0 {
		return fault.OnField(fault.Invalid, "file", "talent.attachment.none")
	}
	kind, public := talent.AttachmentKind(r.FormValue("kind")), r.FormValue("public") == "1"
	for _, fh := range files {
		if fh.Size > talent.MaxAttachmentBytes {
			return fault.OnField(fault.TooLarge, "file", "talent.attachment.size", talent.MaxAttachmentBytes>>20)
		}
		file, err := fh.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(file, talent.MaxAttachmentBytes+1))
		file.Close()
		if err != nil {
			return err
		}
		if err := add(kind, public, data); err != nil {
			return err
		}
	}
	return nil
}

// applicantEdit changes the link's draft or returned application. The
// village stays: the form offers only the one it is in.
func (w *Web) applicantEdit(rw http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if err := w.parseForm(rw, r); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	token := r.PathValue("token")
	c, _, err := w.Talent.Applicant(r.Context(), token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if !c.Status.Editable() {
		w.fail(rw, r, fault.E(fault.Conflict, "talent.candidate.not_editable"))
		return
	}
	v := w.newView(r, "talent.page.edit", "")
	back := "/apply/t/" + url.PathEscape(token)
	f := &form{Action: r.URL.Path, Submit: v.T("action.save"), Cancel: back, Fields: w.candidateFields(v, r, nil, c)}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in, err := applicantInput(w, r, c.Round)
	if err == nil {
		if _, err = w.Talent.SaveByToken(r.Context(), token, in); err == nil {
			seeOther(rw, r, back, "saved")
			return
		}
	}
	w.formOrFail(rw, r, v, f, err)
}

// applicantFile sends one of the link's files back to its applicant.
func (w *Web) applicantFile(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "file")
	var att *talent.Attachment
	var data []byte
	if err == nil {
		att, data, err = w.Talent.AttachmentByToken(r.Context(), r.PathValue("token"), id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	serveAttachment(rw, att, data)
}

// serveAttachment sends an attachment as the type it was sniffed to be.
// A PDF is offered as a download rather than opened in the page's
// origin, and nothing is kept by shared caches.
func serveAttachment(rw http.ResponseWriter, att *talent.Attachment, data []byte) {
	if !att.Image() {
		rw.Header().Set("Content-Disposition", `attachment; filename="attachment-`+strconv.FormatInt(att.ID, 10)+`.pdf"`)
	}
	photo.Serve(rw, att.ContentType, data, "private, no-store")
}

// attachmentKinds are the attach form's choices.
func attachmentKinds(v *view) []option {
	return talentOptions(v, "talent.attachment.", false, string(talent.PhotoAttachment), string(talent.LicenceAttachment))
}

// talentAttach adds files to an application the clerk enters.
func (w *Web) talentAttach(r *http.Request, a *access.Actor, id int64) error {
	return eachUpload(r, func(kind talent.AttachmentKind, public bool, data []byte) error {
		_, err := w.Talent.Attach(r.Context(), a, id, kind, public, data)
		return err
	})
}

// talentAttachment sends an attachment to whoever may see its
// application: the village's staff and the reviewers above it.
func (w *Web) talentAttachment(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var att *talent.Attachment
	var data []byte
	if err == nil {
		att, data, err = w.Talent.AttachmentContent(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	serveAttachment(rw, att, data)
}
