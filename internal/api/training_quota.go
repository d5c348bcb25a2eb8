package api

import (
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

// Unit nominations (单位推荐): quotas per unit of a class, a unit's
// cadres and places, its nominations and its notice.

type unitQuotaJSON struct {
	Class     int64  `json:"class"`
	ClassName string `json:"class_name"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Unit      int64  `json:"unit"`
	UnitName  string `json:"unit_name"`
	Quota     int    `json:"quota"`
	Nominated int    `json:"nominated"`
}

func toQuotas(qs []training.Quota) items[unitQuotaJSON] {
	out := items[unitQuotaJSON]{Items: []unitQuotaJSON{}}
	for _, q := range qs {
		out.Items = append(out.Items, unitQuotaJSON{q.Class, q.ClassName, q.Start, q.End, q.Unit, q.UnitName, q.Quota, q.Nominated})
	}
	return out
}

// trainingQuotas lists a class's quotas with each unit's nominations.
func (a *API) trainingQuotas(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Training.Class(r.Context(), act, id)
	if err == nil && !training.CanManage(act, c.Region) {
		err = fault.E(fault.Forbidden, "error.forbidden")
	}
	if err != nil {
		return 0, nil, err
	}
	qs, err := a.Training.Quotas(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toQuotas(qs), nil
}

// trainingQuotasSet sets units' places: {"quotas": [{"unit": 1, "quota": 5}]}.
func (a *API) trainingQuotasSet(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Quotas []struct {
			Unit  int64 `json:"unit"`
			Quota int   `json:"quota"`
		} `json:"quotas"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	var in []training.QuotaInput
	for _, q := range b.Quotas {
		in = append(in, training.QuotaInput{Unit: q.Unit, Quota: q.Quota})
	}
	qs, err := a.Training.SetQuotas(r.Context(), act, id, in)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, toQuotas(qs), nil
}

// trainingWithdraw takes a unit's nomination back: {"enrolment": 7}.
func (a *API) trainingWithdraw(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Enrolment int64 `json:"enrolment"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Training.Withdraw(r.Context(), act, id, b.Enrolment); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		Withdrawn int64 `json:"withdrawn"`
	}{b.Enrolment}, nil
}

// unitCadres is a unit's own: its cadres in post and its places.
func (a *API) unitCadres(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	qs, err := a.Training.UnitQuotas(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	cs, err := a.Training.UnitCadres(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Cadres []cadreJSON     `json:"cadres"`
		Quotas []unitQuotaJSON `json:"quotas"`
	}{Cadres: []cadreJSON{}, Quotas: toQuotas(qs).Items}
	for _, c := range cs {
		out.Cadres = append(out.Cadres, toCadre(c))
	}
	return http.StatusOK, out, nil
}

// unitNominate nominates the unit's cadres: {"class": 3, "cadres": [..]};
// refused all together (422) with each cadre's problem.
func (a *API) unitNominate(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Class  int64   `json:"class"`
		Cadres []int64 `json:"cadres"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	adm, err := a.Training.Nominate(r.Context(), act, b.Class, id, b.Cadres)
	return a.admissions(r, adm, err)
}

// unitNotice is the unit's enrolment notice of ?class=: the class and its
// trainees from the unit.
func (a *API) unitNotice(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.Training.UnitQuotas(r.Context(), act, id); err != nil {
		return 0, nil, err
	}
	class, err := strconv.ParseInt(r.URL.Query().Get("class"), 10, 64)
	if err != nil || class <= 0 {
		return 0, nil, fault.OnField(fault.Invalid, "class", "training.quota.class")
	}
	c, es, err := a.Training.UnitEnrolments(r.Context(), act, class, id)
	if err != nil {
		return 0, nil, err
	}
	out := struct {
		Class    classJSON   `json:"class"`
		Trainees []cadreJSON `json:"trainees"`
	}{Class: toClass(*c), Trainees: []cadreJSON{}}
	for _, e := range es {
		out.Trainees = append(out.Trainees, toCadre(e.Cadre))
	}
	return http.StatusOK, out, nil
}
