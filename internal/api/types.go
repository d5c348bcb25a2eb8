package api

import (
	"time"

	"shanzhi/internal/region"
	"shanzhi/internal/registry"
)

// The wire types: explicit JSON names, personal data only masked.

type regionJSON struct {
	Code       string `json:"code"`
	ParentCode string `json:"parent_code,omitempty"`
	Name       string `json:"name"`
	Level      int    `json:"level"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	MergedInto string `json:"merged_into,omitempty"`
	Children   int    `json:"children"`
	Households int    `json:"households"`
	Residents  int    `json:"residents"`
	// NameMongol and Script are how the village's public outputs are
	// written: script is "" (by kind), "mn-zh" or "zh", and bilingual
	// is what that comes to.
	NameMongol string `json:"name_mongol,omitempty"`
	Script     string `json:"script"`
	Bilingual  bool   `json:"bilingual"`
}

func toRegion(r region.Region) regionJSON {
	return regionJSON{Code: r.Code, ParentCode: r.ParentCode, Name: r.Name, Level: int(r.Level), Kind: r.Kind, Status: string(r.Status),
		MergedInto: r.MergedInto, Children: r.Children, Households: r.Households, Residents: r.Residents,
		NameMongol: r.NameMongol, Script: string(r.Script), Bilingual: r.Bilingual()}
}

type householdJSON struct {
	ID          int64     `json:"id"`
	Number      string    `json:"number"`
	VillageCode string    `json:"village_code"`
	VillageName string    `json:"village_name"`
	Address     string    `json:"address"`
	HeadID      int64     `json:"head_id"`
	HeadName    string    `json:"head_name"`
	Status      string    `json:"status"`
	Members     int       `json:"members"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toHousehold(h registry.Household) householdJSON {
	return householdJSON{ID: h.ID, Number: h.Number, VillageCode: h.VillageCode, VillageName: h.VillageName, Address: h.Address,
		HeadID: h.HeadID, HeadName: h.HeadName, Status: string(h.Status), Members: h.Members, CreatedAt: h.CreatedAt.UTC(), UpdatedAt: h.UpdatedAt.UTC()}
}

type residentJSON struct {
	ID              int64  `json:"id"`
	HouseholdID     int64  `json:"household_id"`
	HouseholdNumber string `json:"household_number,omitempty"`
	VillageCode     string `json:"village_code,omitempty"`
	Name            string `json:"name"`
	NameMongol      string `json:"name_mongol,omitempty"`
	Gender          string `json:"gender"`
	Ethnicity       string `json:"ethnicity"`
	BirthDate       string `json:"birth_date"`
	IDNumber        string `json:"id_number_masked"`
	Phone           string `json:"phone_masked"`
	Relation        string `json:"relation"`
	Political       string `json:"political"`
	Status          string `json:"status"`
}

func toResident(r registry.Resident) residentJSON {
	return residentJSON{ID: r.ID, HouseholdID: r.HouseholdID, Name: r.Name, NameMongol: r.NameMongol, Gender: string(r.Gender),
		Ethnicity: r.Ethnicity, BirthDate: r.BirthDate, IDNumber: r.IDMasked, Phone: r.PhoneMasked, Relation: r.Relation,
		Political: r.Political, Status: string(r.Status)}
}

// residentIn is a resident in a request body. The ID number and phone are
// pointers so an update can tell "not sent, keep" from "sent empty, clear":
// responses only ever carry them masked, so a client cannot echo them back.
type residentIn struct {
	Name       string  `json:"name"`
	NameMongol string  `json:"name_mongol"`
	Gender     string  `json:"gender"`
	Ethnicity  string  `json:"ethnicity"`
	BirthDate  string  `json:"birth_date"`
	IDNumber   *string `json:"id_number"`
	Phone      *string `json:"phone"`
	Relation   string  `json:"relation"`
	Political  string  `json:"political"`
	Reason     string  `json:"reason"`
}

func (r residentIn) input() registry.ResidentInput {
	in := registry.ResidentInput{Name: r.Name, NameMongol: r.NameMongol, Gender: registry.Gender(r.Gender), Ethnicity: r.Ethnicity,
		BirthDate: r.BirthDate, Relation: r.Relation, Political: r.Political, KeepIDNumber: r.IDNumber == nil, KeepPhone: r.Phone == nil}
	if r.IDNumber != nil {
		in.IDNumber = *r.IDNumber
	}
	if r.Phone != nil {
		in.Phone = *r.Phone
	}
	return in
}
