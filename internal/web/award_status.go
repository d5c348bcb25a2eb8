package web

import (
	"shanzhi/internal/localtime"
	"shanzhi/internal/points"
)

// awardList is the award table the household page, the statement and the
// villager's page share (part_awards.html): each award with its truthful
// status, and the actions the reader may take on it.
type awardList struct {
	V         *view
	Household int64
	Awards    []points.AwardRecord
	CanWrite  bool // the clerk's withdraw and correct
	Own       bool // the villager's own page: appeal, no photos or clerk names
}

// AwardStatus states where an award stands: 待审批, 公示中（至 …）, 已入账,
// 未通过（原因）, 已撤回 or 已更正.
func (v *view) AwardStatus(w points.AwardRecord) string {
	s := w.Show()
	if !s.Until.IsZero() {
		return v.T(s.Key, s.Until.In(localtime.Zone()).Format("2006-01-02"))
	}
	if s.Reason != "" {
		return v.T(s.Key+"_reason", s.Reason)
	}
	return v.T(s.Key)
}
