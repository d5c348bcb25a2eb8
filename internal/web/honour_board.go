package web

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/document"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/localtime"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/printout"
)

type boardsPage struct {
	Region, RegionName string
	Boards             []honour.Board
	CanManage          bool
	Public             bool // the village's public page: links to public boards
}

// honourBoards lists the boards of a region for its officials.
func (w *Web) honourBoards(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.RegistryRead)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &boardsPage{Region: code, CanManage: a.Can(access.HonourManage, code)}
	if d.RegionName, err = w.regionTitle(r, a, code); err == nil {
		d.Boards, err = w.Honours.Boards(r.Context(), a, code)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "honour.page.boards", "honours")
	v.Data = d
	w.render(rw, http.StatusOK, "honour_boards", v)
}

// honourBoardNew defines a board of a village or township.
func (w *Web) honourBoardNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code, err := talentRegion(r, a, access.HonourManage)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "honour.page.board_new", "honours")
	v.Crumbs = []crumb{{Label: v.T("honour.page.boards"), Href: "/honours?region=" + code}, {Label: v.T("honour.page.board_new")}}
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	var kinds, periods, aspects []option
	for _, k := range []honour.Kind{honour.Computed, honour.Nominated} {
		kinds = append(kinds, option{Value: string(k), Label: v.T("honour.kind." + string(k))})
	}
	for _, p := range []honour.PeriodKind{honour.Month, honour.Quarter, honour.Year} {
		periods = append(periods, option{Value: string(p), Label: v.T("honour.period." + string(p))})
	}
	for _, c := range []string{"", "env", "industry", "public", "filial", "law", "customs"} {
		aspects = append(aspects, option{Value: c, Label: v.T("ranking.aspect." + c)})
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("action.save"), Cancel: "/honours?region=" + code, Intro: v.T("honour.board.intro"), Fields: []field{
		{Name: "region", Label: v.T("field.village"), Type: "select", Value: val("region", code), Options: w.orgRegionOptions(r, a, code), Required: true},
		{Name: "name", Label: v.T("honour.field.name"), Type: "text", Value: val("name", ""), Required: true, MaxLen: honour.MaxName, Help: v.T("honour.help.name")},
		{Name: "kind", Label: v.T("honour.field.kind"), Type: "select", Value: val("kind", string(honour.Computed)), Options: kinds, Required: true},
		{Name: "period", Label: v.T("honour.field.period"), Type: "select", Value: val("period", string(honour.Quarter)), Options: periods, Required: true},
		{Name: "aspect", Label: v.T("ranking.aspect"), Type: "select", Value: val("aspect", ""), Options: aspects, Help: v.T("honour.help.aspect")},
		{Name: "min_points", Label: v.T("honour.field.min_points"), Type: "text", InputMode: "numeric", Value: val("min_points", "0")},
		{Name: "size", Label: v.T("honour.field.size"), Type: "text", InputMode: "numeric", Value: val("size", "10"), Required: true},
		{Name: "item", Label: v.T("honour.field.item"), Type: "text", Value: val("item", ""), Help: v.T("honour.help.item")},
	}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	minPts, err1 := strconv.ParseInt(r.FormValue("min_points"), 10, 64)
	size, err2 := strconv.Atoi(r.FormValue("size"))
	if err1 != nil || err2 != nil {
		w.formOrFail(rw, r, v, f, fault.E(fault.Invalid, "honour.board.number"))
		return
	}
	b, err := w.Honours.CreateBoard(r.Context(), a, honour.BoardInput{Region: r.FormValue("region"), Name: r.FormValue("name"), Kind: honour.Kind(r.FormValue("kind")),
		Period: honour.PeriodKind(r.FormValue("period")), Aspect: r.FormValue("aspect"), MinPoints: minPts, Size: size, Item: r.FormValue("item")})
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/honours/boards/"+strconv.FormatInt(b.ID, 10), "saved")
}

type boardPage struct {
	Edition     *honour.Edition
	Periods     []string
	Nominations []honour.Nomination
	CanManage   bool
	CanNominate bool
	Public      bool
}

// boardPeriod is the period a board page shows: the one asked for, or the
// current one.
func (w *Web) boardPeriod(r *http.Request, b *honour.Board) string {
	if p := r.URL.Query().Get("period"); p != "" {
		return p
	}
	return honour.CurrentPeriod(b.Period, localtime.In(w.Now()))
}

// honourBoard shows a board's period to its officials: the standings or
// honours, the nominations under review, and the published history.
func (w *Web) honourBoard(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var b *honour.Board
	if err == nil {
		b, err = w.Honours.Board(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &boardPage{CanManage: a.Can(access.HonourManage, b.Region), CanNominate: b.Kind == honour.Nominated}
	period := w.boardPeriod(r, b)
	if d.Edition, err = w.Honours.Edition(r.Context(), a, id, period); err == nil {
		if d.Periods, err = w.Honours.Periods(r.Context(), a, id); err == nil && b.Kind == honour.Nominated {
			d.Nominations, err = w.Honours.Nominations(r.Context(), a, id, period)
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "honour.page.board", "honours")
	v.Title = b.Name + " · " + period
	v.Crumbs = []crumb{{Label: v.T("honour.page.boards"), Href: "/honours?region=" + b.Region}, {Label: b.Name}}
	v.Data = d
	w.render(rw, http.StatusOK, "honour_board", v)
}

// honourPublish publishes a computed board's period.
func (w *Web) honourPublish(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = w.Honours.Publish(r.Context(), a, id, r.PostFormValue("period"))
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/honours/boards/"+strconv.FormatInt(id, 10)+"?period="+r.PostFormValue("period"), "published")
}

// honourNominate takes a nomination: from staff for any household of the
// board's villages, from a villager on their phone for a neighbour.
func (w *Web) honourNominate(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	var b *honour.Board
	if err == nil {
		// Boards are public; whether a may nominate on it is next.
		b, err = w.Honours.Board(r.Context(), nil, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	staff := a.Can(access.HonourManage, b.Region)
	switch {
	case staff || a.Can(access.OwnHousehold, b.Region):
	case a.Can(access.RegistryRead, b.Region):
		w.fail(rw, r, fault.E(fault.Forbidden, "error.forbidden"))
		return
	default:
		w.fail(rw, r, fault.E(fault.NotFound, "error.not_found"))
		return
	}
	v := w.newView(r, "honour.page.nominate", "honours")
	v.Title = v.T("honour.page.nominate") + " · " + b.Name
	back := "/honours/boards/" + strconv.FormatInt(id, 10)
	if !staff {
		back = "/my"
	}
	val := func(k, def string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return def
	}
	var consents, kinds []option
	for _, c := range []honour.Consent{honour.ConsentSigned, honour.ConsentPhone, honour.ConsentVerbal} {
		consents = append(consents, option{Value: string(c), Label: v.T("honour.consent." + string(c))})
	}
	consents = append([]option{{Value: "", Label: v.T("honour.consent.none")}}, consents...)
	for _, k := range []honour.NominatorKind{honour.ByVillager, honour.ByStaff, honour.ByOrganisation} {
		kinds = append(kinds, option{Value: string(k), Label: v.T("honour.nominator." + string(k))})
	}
	today := localtime.In(w.Now()).Format("2006-01-02")
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("honour.action.nominate"), Cancel: back, Intro: v.T("honour.nominate.intro"), Fields: []field{
		{Name: "period", Label: v.T("honour.field.period"), Type: "text", Value: val("period", w.boardPeriod(r, b)), Required: true},
		{Name: "household", Label: v.T("honour.field.household"), Type: "text", Value: val("household", ""), Required: true, Help: v.T("honour.help.household")},
		{Name: "nominee", Label: v.T("honour.field.nominee"), Type: "text", Value: val("nominee", ""), Help: v.T("honour.help.nominee")},
		{Name: "deed", Label: v.T("honour.field.deed"), Type: "textarea", Value: val("deed", ""), Required: true},
		{Name: "citation", Label: v.T("honour.field.citation"), Type: "text", Value: val("citation", ""), Required: true, MaxLen: honour.MaxCitation},
		{Name: "consent", Label: v.T("honour.field.consent"), Type: "select", Value: val("consent", ""), Options: consents, Required: true, Help: v.T("honour.help.consent")},
		{Name: "consent_date", Label: v.T("honour.field.consent_date"), Type: "date", Value: val("consent_date", today), Required: true},
		{Name: "photos", Label: v.T("honour.field.photos"), Type: "file", Accept: "image/*", Multiple: true,
			Help: v.T("award.photos_help", points.MaxPhotoBytes>>20, honour.MaxPhotos)},
		{Name: "photos_public", Label: v.T("honour.field.photos_public"), Type: "checkboxes", Options: []option{
			{Value: "1", Label: v.T("honour.help.photos_public"), Checked: r.FormValue("photos_public") == "1"}}},
	}, Multipart: true}
	if staff {
		// The signed form is the staff's to file; a villager's phone
		// nomination is consented on the phone.
		f.Fields = append(f.Fields,
			field{Name: "scan", Label: v.T("credit.field.scan"), Type: "file", Accept: "image/jpeg,image/png,application/pdf,.pdf", Help: v.T("honour.help.scan", honour.MaxScanBytes>>20)},
			field{Name: "nominator_kind", Label: v.T("honour.field.nominator_kind"), Type: "select", Value: val("nominator_kind", string(honour.ByStaff)), Options: kinds, Required: true},
			field{Name: "nominator", Label: v.T("honour.field.nominator"), Type: "text", Value: val("nominator", a.Username), Required: true})
	}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := honour.NominationInput{Board: id, Period: r.FormValue("period"), Number: r.FormValue("household"), Nominee: r.FormValue("nominee"), Deed: r.FormValue("deed"),
		Citation: r.FormValue("citation"), NominatorKind: honour.NominatorKind(r.FormValue("nominator_kind")), Nominator: r.FormValue("nominator"),
		Consent: honour.Consent(r.FormValue("consent")), ConsentDate: r.FormValue("consent_date"), PhotosPublic: r.FormValue("photos_public") == "1"}
	if in.Photos, err = formFiles(r, "photos", honour.MaxPhotos); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	scans, err := formFilesMax(r, "scan", 1, honour.MaxScanBytes)
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	if staff && len(scans) == 1 {
		in.Scan = scans[0]
	}
	if !staff {
		// A villager nominates in their own name.
		in.NominatorKind, in.Nominator = honour.ByVillager, a.Username
	}
	if _, err := w.Honours.Nominate(r.Context(), a, in); err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, back, "nominated")
}

// publicEdition is a board's period as the public sees it (see
// printout.PublicEdition), of ?period= or the latest.
func (w *Web) publicEdition(r *http.Request, id int64) (*honour.Edition, []string, error) {
	return printout.PublicEdition(r.Context(), w.Honours, id, r.URL.Query().Get("period"))
}

// honourPublicBoards is a village's public page of its boards.
func (w *Web) honourPublicBoards(rw http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	bs, err := w.Honours.Boards(r.Context(), nil, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "honour.page.public", "")
	// The list follows the village's own script setting, like each of
	// its boards' pages; the boards' names stay as the village typed them.
	reg, err := w.publicScript(r, v, code)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.biTitle("honour.page.public", nil, nil)
	if v.Bilingual {
		v.TitleMn += " · " + mongolName(reg)
	}
	v.Title += " · " + reg.Name
	v.Data = &boardsPage{Region: code, Boards: bs, Public: true}
	w.render(rw, http.StatusOK, "honour_boards", v)
}

// honourPublicBoard is a board's public phone page, with its history.
func (w *Web) honourPublicBoard(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	d := boardPage{Public: true}
	if err == nil {
		d.Edition, d.Periods, err = w.publicEdition(r, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "honour.page.board", "")
	// A bilingual village's board carries its fixed texts in Mongolian
	// too; the board's name is the village's own and stays as typed.
	if _, err := w.publicScript(r, v, d.Edition.Board.Region); err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = d.Edition.Board.Name
	v.Data = &d
	w.render(rw, http.StatusOK, "honour_board", v)
}

// honourPoster is the printable poster of a published period, A4 or A3,
// and its .pdf twin, both drawn from one document definition.
func (w *Web) honourPoster(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var e *honour.Edition
	if err == nil {
		e, _, err = w.publicEdition(r, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "honour.page.poster", "")
	paper := document.A4
	if r.URL.Query().Get("paper") == "a3" {
		paper = document.A3
	}
	doc, err := w.printouts().Poster(r.Context(), v.Lang, e, paper)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Title = e.Board.Name
	w.servePrint(rw, r, v, doc, e.Board.Name+" "+e.Period, printPage{PDF: "/honour/board/" + r.PathValue("id") + "/poster.pdf?" + r.URL.RawQuery})
}

// honourPhoto sends a nomination's deed photo to the officials of its
// village deciding on it, whether or not it is public.
func (w *Web) honourPhoto(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	board, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.sendHonourPhoto(rw, r, a, board, "private, max-age=86400")
}

// honourPublicPhoto sends a deed photo to anyone once the honour is
// approved and its nominee agreed to show it.
func (w *Web) honourPublicPhoto(rw http.ResponseWriter, r *http.Request) {
	w.sendHonourPhoto(rw, r, nil, 0, "public, max-age=3600")
}

func (w *Web) sendHonourPhoto(rw http.ResponseWriter, r *http.Request, a *access.Actor, board int64, cache string) {
	id, err := pathID(r, "photo")
	var ctype string
	var data []byte
	if err == nil {
		ctype, data, err = w.Honours.NominationPhoto(r.Context(), a, board, id, r.URL.Query().Get("size") == "thumb")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	photo.Serve(rw, ctype, data, cache)
}

// honourPublicNominate is a nominated board's public phone page, reached
// from its QR code or link: a villager without an account nominates a
// neighbour into the same committee review as every nomination, marked as
// from the public channel. No CAPTCHA: the form carries a delay token (a
// script posting at once is refused, a person never is), a honeypot field
// people never see, and posts are limited per address here and per phone
// in the store. The body is bounded before it is read (parseForm).
func (w *Web) honourPublicNominate(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var b *honour.Board
	if err == nil {
		b, err = w.Honours.Board(r.Context(), nil, id)
	}
	if err == nil && b.Kind != honour.Nominated {
		err = fault.E(fault.Conflict, "honour.nomination.computed")
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if r.Method == http.MethodPost {
		// Bounded before anything reads the body.
		if err := w.parseForm(rw, r); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	v := w.newView(r, "honour.page.nominate", "")
	v.Title = v.T("honour.page.nominate") + " · " + b.Name
	val := func(k string) string {
		if r.Method == http.MethodPost {
			return r.FormValue(k)
		}
		return ""
	}
	f := &form{Action: r.URL.RequestURI(), Submit: v.T("honour.action.nominate"), Cancel: "/honour/board/" + strconv.FormatInt(id, 10),
		Intro: v.T("honour.public.intro", honour.PublicPerPhone), Multipart: true, Fields: []field{
			{Name: "token", Type: "hidden", Value: w.Honours.PublicFormToken(r.Context())},
			{Name: "website", Label: v.T("honour.public.trap"), Type: "trap"},
			{Name: "nominator", Label: v.T("honour.public.nominator"), Type: "text", Value: val("nominator"), Required: true, MaxLen: honour.MaxName, Auto: "name"},
			{Name: "phone", Label: v.T("field.phone"), Type: "tel", Value: val("phone"), Required: true, InputMode: "tel", Auto: "tel", Help: v.T("honour.public.phone_help")},
			{Name: "nominee", Label: v.T("honour.field.nominee"), Type: "text", Value: val("nominee"), Required: true, MaxLen: honour.MaxName},
			{Name: "household", Label: v.T("honour.public.number"), Type: "text", Value: val("household"), Required: true, Help: v.T("honour.public.number_help")},
			{Name: "deed", Label: v.T("honour.field.deed"), Type: "textarea", Value: val("deed"), Required: true, MaxLen: honour.MaxDeed},
			{Name: "photos", Label: v.T("honour.field.photos"), Type: "file", Accept: "image/*", Multiple: true,
				Help: v.T("award.photos_help", points.MaxPhotoBytes>>20, honour.MaxPhotos)},
			{Name: "photos_public", Label: v.T("honour.field.photos_public"), Type: "checkboxes", Options: []option{
				{Value: "1", Label: v.T("honour.help.photos_public"), Checked: r.FormValue("photos_public") == "1"}}},
			{Name: "consent", Label: v.T("honour.field.consent"), Type: "checkboxes", Required: true, Options: []option{
				{Value: "1", Label: v.T("honour.public.consent"), Checked: r.FormValue("consent") == "1"}}},
		}}
	if r.Method != http.MethodPost {
		w.showForm(rw, v, f)
		return
	}
	in := honour.PublicNomination{Board: id, Number: r.FormValue("household"), Nominee: r.FormValue("nominee"), Deed: r.FormValue("deed"),
		NominatorName: r.FormValue("nominator"), NominatorPhone: r.FormValue("phone"), NomineeAgreed: r.FormValue("consent") == "1",
		PhotosPublic: r.FormValue("photos_public") == "1", Token: r.FormValue("token")}
	err = w.Limits.PublicNomination(r.Context(), in.NominatorPhone, r.FormValue("website"))
	if err == nil {
		in.Photos, err = formFiles(r, "photos", honour.MaxPhotos)
	}
	if err == nil {
		_, err = w.Honours.NominatePublic(r.Context(), in)
	}
	switch {
	case fault.CodeOf(err) == fault.TooMany:
		w.fail(rw, r, err) // a limit: 429, not a form to fill again
		return
	case err != nil:
		w.formOrFail(rw, r, v, f, err)
		return
	}
	seeOther(rw, r, "/honour/board/"+strconv.FormatInt(id, 10), "nominated_public")
}
