package org

import (
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
)

// MemberInput is what a user gives for a party member. The national
// party-member information system stays the master of membership records;
// this register keeps what local work needs.
type MemberInput struct {
	Branch    int64
	Resident  int64 // the resident of the register they are, if one
	Name      string
	Gender    string // 男 / 女
	IDNumber  string
	Phone     string
	Applied   string // 申请入党日期
	Probation string // 预备党员日期
	Full      string // 转正日期; "" while probationary
	// The national roster's other columns, kept as its export gives them.
	Ethnicity string // 民族
	Birth     string // 出生日期
	Education string // 学历
	Job       string // 工作岗位
	Residence string // 现居住地
	// WorkUnit is the unit of the register the member works in, 0 if none:
	// what 两个覆盖 counts.
	WorkUnit int64
}

// Normalize trims the texts and normalises the ID number and phone.
func (in *MemberInput) Normalize() {
	in.Name, in.Gender = strings.TrimSpace(in.Name), strings.TrimSpace(in.Gender)
	in.Applied, in.Probation, in.Full = strings.TrimSpace(in.Applied), strings.TrimSpace(in.Probation), strings.TrimSpace(in.Full)
	in.IDNumber, in.Phone = registry.NormalizeID(in.IDNumber), registry.NormalizePhone(in.Phone)
	in.Ethnicity, in.Birth, in.Education = strings.TrimSpace(in.Ethnicity), strings.TrimSpace(in.Birth), strings.TrimSpace(in.Education)
	in.Job, in.Residence = strings.TrimSpace(in.Job), strings.TrimSpace(in.Residence)
}

// Validate checks a member: the dates run application, probation, full
// membership, and a member is at least probationary.
func (in MemberInput) Validate(now time.Time) error {
	var fs fault.Fields
	personFields(&fs, in.Name, in.Gender, in.IDNumber, in.Phone, now)
	for name, v := range map[string]string{"ethnicity": in.Ethnicity, "education": in.Education, "job": in.Job} {
		if utf8.RuneCountInString(v) > 30 {
			fs.Add(name, "org.too_long", 30)
		}
	}
	if utf8.RuneCountInString(in.Residence) > MaxText {
		fs.Add("residence", "org.too_long", MaxText)
	}
	if in.Birth != "" && !PastDate(in.Birth, now) {
		fs.Add("birth", "org.date_invalid")
	}
	for name, v := range map[string]string{"applied": in.Applied, "probation": in.Probation, "full": in.Full} {
		if !validDate(v, now) {
			fs.Add(name, "org.date_invalid")
		}
	}
	if in.Probation == "" {
		fs.Add("probation", "org.member.probation_required")
	}
	if !fs.Has("applied") && !fs.Has("probation") && in.Applied != "" && in.Probation != "" && in.Applied > in.Probation {
		fs.Add("probation", "org.member.dates_order")
	}
	if !fs.Has("probation") && !fs.Has("full") && in.Full != "" && in.Full < in.Probation {
		fs.Add("full", "org.member.dates_order")
	}
	return fs.Err()
}

// Standing is a member's standing.
type Standing string

// The standings.
const (
	Probationary Standing = "probationary" // 预备党员
	FullMember   Standing = "full"         // 正式党员
)

// Standing reports the standing the dates give.
func (in MemberInput) Standing() Standing {
	if in.Full != "" {
		return FullMember
	}
	return Probationary
}

// TransferStatus is where a transfer of membership (组织关系转接) stands.
type TransferStatus string

// The statuses of a transfer: once the sending branch issues it (转出) it
// is in transit until the receiving branch takes it (转入).
const (
	TransferTransit  TransferStatus = "transit"
	TransferReceived TransferStatus = "received"
)

// Transfer is one transfer of a member's membership.
type Transfer struct {
	ID       int64
	From     int64
	FromName string
	To       int64
	ToName   string
	ToHome   string // the receiving organisation's home region
	Status   TransferStatus
	Sent     string
	Received string
}

// Member is a stored member, with personal data masked.
type Member struct {
	ID          int64
	Branch      int64
	BranchName  string
	Home        string // the branch's home region
	Resident    int64
	Name        string
	Gender      string
	IDMasked    string
	PhoneMasked string
	// IDNumber and Phone are whole only in a full export with a reason;
	// everywhere else they are empty and the masked forms are shown.
	IDNumber, Phone string
	Applied         string
	Probation       string
	Full            string
	Ethnicity       string
	Birth           string
	Education       string
	Job             string
	Residence       string
	WorkUnit        int64
	WorkName        string // the work unit's name
	Standing        Standing
	// Away is the member's open stay away (流动党员), nil when none.
	Away *Flow
	// Pending is the transfer in progress, nil when none.
	Pending   *Transfer
	Transfers []Transfer // filled by Service.Member only
	Created   time.Time
}

// personFields checks what members and cadres give alike about the
// person: a name, an optional gender, ID number and mobile phone.
func personFields(fs *fault.Fields, name, gender, idNumber, phone string, now time.Time) {
	if n := utf8.RuneCountInString(name); n == 0 || n > 30 {
		fs.Add("name", "org.member.name_invalid")
	}
	if gender != "" && gender != "男" && gender != "女" {
		fs.Add("gender", "org.member.gender_invalid")
	}
	if idNumber != "" {
		if p := registry.IDProblem(idNumber, now); p != "" {
			fs.Add("id_number", p)
		}
	}
	if phone != "" && !registry.ValidMobile(phone) {
		fs.Add("phone", "org.member.phone_invalid")
	}
}
