package main

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/training"
)

// azTrainings are the training programme's objects of the authorisation
// test: a published list version and a class of the own township's
// department and of the sibling township's, the sibling's named with a
// marker so a refused response that leaks one is caught. The own class's
// 班主任 is the matrix's trainer, who keeps its attendance and no other
// class's; each class has a session.
type azTrainings struct{ list1, list2, class1, class2, session1, session2 int64 }

func azTraining(t *testing.T, db *sqlstore.DB) azTrainings {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{UserID: 9300, Username: "seed", Grants: []access.Grant{{Role: access.OrgStaff, Region: province}}}
	s := db.Training()
	var out azTrainings
	for _, c := range []struct {
		town, name, head     string
		list, class, session *int64
	}{{azT, "本镇", "u-" + string(access.Trainer), &out.list1, &out.class1, &out.session1}, {azT2, "外村成员", "", &out.list2, &out.class2, &out.session2}} {
		l, err := s.CreateList(ctx, sys, training.ListInput{Region: c.town, Title: c.name + "紧缺能力清单"})
		if err != nil {
			t.Fatal(err)
		}
		if l, err = s.AddItem(ctx, sys, l.ID, training.ItemInput{Rank: "village", Competency: c.name + "基层治理", Priority: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, sys, l.ID); err != nil {
			t.Fatal(err)
		}
		cl, err := s.CreateClass(ctx, sys, training.ClassInput{Region: c.town, Name: c.name + "培训班", Start: "2026-06-01", End: "2026-06-05", Capacity: 40, HoursRequired: 8, Head: c.head,
			List: l.ID, Items: []int64{l.Items[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		if cl, err = s.AddSession(ctx, sys, cl.ID, training.SessionInput{Day: "2026-06-01", Starts: "08:30", Title: c.name + "开班", Hours: 2}); err != nil {
			t.Fatal(err)
		}
		*c.list, *c.class, *c.session = l.ID, cl.ID, cl.Sessions[0].ID
	}
	return out
}
