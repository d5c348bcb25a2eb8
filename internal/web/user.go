package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

type userList struct {
	Users      []access.User
	CanCreate  bool
	CanGrant   bool
	RoleLabels map[access.Role]string
	Regions    map[string]string // each grant's region code → its full name path
}

// grantRegions names the regions of the grants of users in full, so a
// typo that names another real village shows in every list of grants.
func (w *Web) grantRegions(r *http.Request, users ...access.User) (map[string]string, error) {
	var codes []string
	for _, u := range users {
		for _, g := range u.Grants {
			codes = append(codes, g.Region)
		}
	}
	return w.Regions.Names(r.Context(), codes)
}

// regionName answers the grant form's look-up as the code is typed: the
// region's full name path, or a message that no region has this code.
func (w *Web) regionName(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	code := strings.TrimSpace(r.URL.Query().Get("code"))
	names, err := w.Regions.Names(r.Context(), []string{code})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.user", "users")
	out := map[string]string{"code": code}
	status := http.StatusOK
	if name, ok := names[code]; ok {
		out["path"] = name
	} else {
		// A code that names nothing is bad input, not a missing page.
		out["error"] = v.T("region.code_unknown", code)
		status = http.StatusUnprocessableEntity
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(out)
}

func (w *Web) roleLabels(v *view) map[access.Role]string {
	out := map[access.Role]string{}
	for _, r := range access.Roles {
		out[r] = v.T("role." + string(r))
	}
	return out
}

func (w *Web) users(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	list, err := w.Users.Users(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.users", "users")
	regions, err := w.grantRegions(r, list...)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Data = &userList{Users: list, CanCreate: a.CanAnywhere(access.UserManage), CanGrant: a.CanAnywhere(access.RoleManage), RoleLabels: w.roleLabels(v), Regions: regions}
	w.render(rw, http.StatusOK, "users", v)
}

func (w *Web) userNewForm(v *view, r *http.Request) *form {
	return &form{Action: "/admin/users/new", Submit: v.T("action.save"), Cancel: "/admin/users", Intro: v.T("user.new_intro"), Fields: []field{
		{Name: "username", Label: v.T("auth.username"), Type: "text", Value: r.FormValue("username"), Required: true, Auto: "off"},
		{Name: "display", Label: v.T("user.display"), Type: "text", Value: r.FormValue("display")},
		{Name: "phone", Label: v.T("field.phone"), Type: "tel", Value: r.FormValue("phone"), InputMode: "tel", Help: v.T("user.phone_help")},
	}}
}

func (w *Web) userNew(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.user_new", "users")
	v.Crumbs = []crumb{{Label: v.T("page.users"), Href: "/admin/users"}, {Label: v.T("page.user_new")}}
	f := w.userNewForm(v, r)
	if r.Method != http.MethodPost {
		if err := canUserManage(a); err != nil {
			w.fail(rw, r, err)
			return
		}
		w.showForm(rw, v, f)
		return
	}
	id, pw, err := w.Users.CreateUser(r.Context(), a, access.NewUser{Username: r.FormValue("username"), DisplayName: r.FormValue("display"), Phone: r.FormValue("phone")})
	if err != nil {
		w.formOrFail(rw, r, v, f, err)
		return
	}
	w.showOneTimePassword(rw, r, a, id, pw)
}

func canUserManage(a *access.Actor) error {
	if !a.CanAnywhere(access.UserManage) {
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	return nil
}

type userPage struct {
	U          *access.User
	Password   string // a one-time password just issued, shown once
	CanManage  bool
	CanGrant   bool
	Roles      []option
	RoleLabels map[access.Role]string
	Self       bool
	Regions    map[string]string // each grant's region code → its full name path
}

func (w *Web) userShow(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	w.userPageWith(rw, r, a, "", nil)
}

func (w *Web) showOneTimePassword(rw http.ResponseWriter, r *http.Request, a *access.Actor, id int64, pw string) {
	r.SetPathValue("id", strconv.FormatInt(id, 10))
	w.userPageWith(rw, r, a, pw, nil)
}

func (w *Web) userPageWith(rw http.ResponseWriter, r *http.Request, a *access.Actor, pw string, actionErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	u, err := w.Users.User(r.Context(), a, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := w.newView(r, "page.user", "users")
	v.Title = u.Username
	v.Crumbs = []crumb{{Label: v.T("page.users"), Href: "/admin/users"}, {Label: u.Username}}
	regions, err := w.grantRegions(r, *u)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := &userPage{U: u, Password: pw, CanManage: a.CanAnywhere(access.UserManage), CanGrant: a.CanAnywhere(access.RoleManage), RoleLabels: w.roleLabels(v), Self: id == a.UserID, Regions: regions}
	for _, role := range access.Roles {
		p.Roles = append(p.Roles, option{Value: string(role), Label: v.T("role." + string(role))})
	}
	status := http.StatusOK
	if actionErr != nil {
		var f form
		if !v.applyError(&f, actionErr) {
			w.fail(rw, r, actionErr)
			return
		}
		v.Flash = f.Error
		for _, fe := range f.Fields {
			if fe.Error != "" {
				v.Flash += " " + fe.Error
			}
		}
		status = fault.HTTPStatus(fault.CodeOf(actionErr))
	}
	v.Data = p
	w.render(rw, status, "user", v)
}

// userAction runs one of the account buttons and redraws the account.
func (w *Web) userAction(do func(r *http.Request, a *access.Actor, id int64) (string, error)) func(http.ResponseWriter, *http.Request, *access.Actor) {
	return func(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
		id, err := pathID(r, "id")
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		pw, err := do(r, a, id)
		if err != nil {
			w.userPageWith(rw, r, a, "", err)
			return
		}
		if pw != "" {
			w.userPageWith(rw, r, a, pw, nil)
			return
		}
		seeOther(rw, r, fmt.Sprintf("/admin/users/%d", id), "saved")
	}
}

func (w *Web) userDisable(r *http.Request, a *access.Actor, id int64) (string, error) {
	return "", w.Users.SetDisabled(r.Context(), a, id, r.FormValue("disabled") == "1")
}

func (w *Web) userReset(r *http.Request, a *access.Actor, id int64) (string, error) {
	return w.Users.ResetPassword(r.Context(), a, id)
}

func grantFromForm(r *http.Request) access.Grant {
	hh, _ := strconv.ParseInt(r.FormValue("household"), 10, 64)
	grid, _ := strconv.ParseInt(r.FormValue("grid"), 10, 64)
	o, _ := strconv.ParseInt(r.FormValue("org"), 10, 64)
	unit, _ := strconv.ParseInt(r.FormValue("unit"), 10, 64)
	return access.Grant{Role: access.Role(r.FormValue("role")), Region: strings.TrimSpace(r.FormValue("region")), Household: hh, Grid: grid, Org: o, Unit: unit}
}

func (w *Web) userGrant(r *http.Request, a *access.Actor, id int64) (string, error) {
	return "", w.Users.Grant(r.Context(), a, id, grantFromForm(r))
}

func (w *Web) userRevoke(r *http.Request, a *access.Actor, id int64) (string, error) {
	return "", w.Users.Revoke(r.Context(), a, id, grantFromForm(r))
}

// userGrantBulk grants or revokes a role at every region of a level under
// a region in one action.
func (w *Web) userGrantBulk(r *http.Request, a *access.Actor, id int64) (string, error) {
	level, _ := strconv.Atoi(r.FormValue("level"))
	_, err := w.Users.GrantAt(r.Context(), a, id, access.BulkGrant{Role: access.Role(r.FormValue("role")), Under: r.FormValue("region"),
		Level: regioncode.Level(level), Revoke: r.FormValue("revoke") == "1"})
	return "", err
}

type tokenPage struct {
	Tokens []access.Token
	Secret string // a token just issued, shown once
	Form   *form
}

func (w *Web) tokens(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	v := w.newView(r, "page.tokens", "tokens")
	f := &form{Action: "/tokens", Submit: v.T("token.create"), Fields: []field{
		{Name: "name", Label: v.T("token.name_label"), Type: "text", Required: true, Value: r.FormValue("name")},
		{Name: "days", Label: v.T("token.days"), Type: "text", InputMode: "numeric", Value: "90", Required: true},
	}}
	p := &tokenPage{Form: f}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		days, _ := strconv.Atoi(r.FormValue("days"))
		secret, err := w.Users.CreateToken(r.Context(), a, r.FormValue("name"), time.Duration(days)*24*time.Hour)
		if err != nil {
			if !v.applyError(f, err) {
				w.fail(rw, r, err)
				return
			}
			status = http.StatusUnprocessableEntity
		}
		p.Secret = secret
	}
	list, err := w.Users.Tokens(r.Context(), a)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Tokens = list
	v.Data = p
	w.render(rw, status, "tokens", v)
}

func (w *Web) tokenRevoke(rw http.ResponseWriter, r *http.Request, a *access.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		err = w.Users.RevokeToken(r.Context(), a, id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	seeOther(rw, r, "/tokens", "saved")
}
