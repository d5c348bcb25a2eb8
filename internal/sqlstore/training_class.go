package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

// Teachers lists the teacher pools the actor reads, with how many
// sessions and classes each taught.
func (s *TrainingService) Teachers(ctx context.Context, a *access.Actor, region string) ([]training.Teacher, error) {
	scopes, err := orgScopes(a, access.TrainingRead, region)
	if err != nil {
		return nil, err
	}
	where, args := scopeWhere("t.region_code", scopes)
	var out []training.Teacher
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.Teacher, error) {
			var t training.Teacher
			var internal int
			var sum int64
			err := s.Scan(&t.ID, &t.Region, &t.Name, &internal, &t.Affiliation, &t.Subjects, &t.Sessions, &t.Classes, &t.Rated, &sum)
			t.Internal = internal != 0
			if t.Rated > 0 {
				t.Mean = float64(sum) / float64(t.Rated)
			}
			return t, err
		}, `SELECT t.id, t.region_code, t.name, t.internal, t.affiliation, t.subjects,
			(SELECT count(*) FROM training_sessions s WHERE s.teacher_id = t.id), (SELECT count(DISTINCT s.class_id) FROM training_sessions s WHERE s.teacher_id = t.id),
			(SELECT count(*) FROM training_ratings r WHERE r.teacher_id = t.id), (SELECT COALESCE(SUM(r.score), 0) FROM training_ratings r WHERE r.teacher_id = t.id)
			FROM training_teachers t WHERE `+where+` ORDER BY t.region_code, t.name, t.id`, args...)
		return err
	})
	return out, err
}

// CreateTeacher adds a teacher to a department's pool.
func (s *TrainingService) CreateTeacher(ctx context.Context, a *access.Actor, in training.TeacherInput) (*training.Teacher, error) {
	in.Name, in.Affiliation, in.Subjects = strings.TrimSpace(in.Name), strings.TrimSpace(in.Affiliation), strings.TrimSpace(in.Subjects)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out := &training.Teacher{TeacherInput: in}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.trainingRegion(ctx, a, in.Region); err != nil {
			return err
		}
		id, err := tx.insertID(ctx, `INSERT INTO training_teachers (region_code, name, internal, affiliation, subjects, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Region, in.Name, flag(in.Internal), in.Affiliation, in.Subjects, tx.nowMS())
		if err != nil {
			return err
		}
		out.ID = id
		return tx.audit(ctx, a, auditEntry{action: "training.teacher.create", target: fmt.Sprintf("training_teacher:%d", id), region: in.Region,
			detail: fmt.Sprintf("%s; %s; %s", in.Name, in.Affiliation, in.Subjects)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Courses lists the course catalogues the actor reads.
func (s *TrainingService) Courses(ctx context.Context, a *access.Actor, region string) ([]training.Course, error) {
	scopes, err := orgScopes(a, access.TrainingRead, region)
	if err != nil {
		return nil, err
	}
	where, args := scopeWhere("c.region_code", scopes)
	var out []training.Course
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.Course, error) {
			var c training.Course
			err := s.Scan(&c.ID, &c.Region, &c.Title, &c.Competency, &c.Mode, &c.Hours, &c.Teacher, &c.TeacherName)
			return c, err
		}, `SELECT c.id, c.region_code, c.title, c.competency, c.mode, c.hours, COALESCE(c.teacher_id, 0), COALESCE(t.name, '')
			FROM training_courses c LEFT JOIN training_teachers t ON t.id = c.teacher_id WHERE `+where+` ORDER BY c.region_code, c.competency, c.title`, args...)
		return err
	})
	return out, err
}

// teacherOf checks a teacher named by a course or session: one of a pool
// the actor reads. It returns the column's value, NULL for none.
func (tx *Tx) teacherOf(ctx context.Context, a *access.Actor, id int64) (any, string, error) {
	if id == 0 {
		return nil, "", nil
	}
	var region, name string
	err := tx.queryRow(ctx, `SELECT region_code, name FROM training_teachers WHERE id = ?`, id).Scan(&region, &name)
	if err := trainingReachable(err, a, region, false); err != nil {
		return nil, "", fault.OnField(fault.Invalid, "teacher", "training.teacher_invalid")
	}
	return id, name, nil
}

// CreateCourse adds a course to a department's catalogue.
func (s *TrainingService) CreateCourse(ctx context.Context, a *access.Actor, in training.CourseInput) (*training.Course, error) {
	in.Title, in.Competency = strings.TrimSpace(in.Title), strings.TrimSpace(in.Competency)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out := &training.Course{CourseInput: in}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.trainingRegion(ctx, a, in.Region); err != nil {
			return err
		}
		teacher, name, err := tx.teacherOf(ctx, a, in.Teacher)
		if err != nil {
			return err
		}
		id, err := tx.insertID(ctx, `INSERT INTO training_courses (region_code, title, competency, mode, hours, teacher_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Region, in.Title, in.Competency, in.Mode, in.Hours, teacher, tx.nowMS())
		if err != nil {
			return err
		}
		out.ID, out.TeacherName = id, name
		return tx.audit(ctx, a, auditEntry{action: "training.course.create", target: fmt.Sprintf("training_course:%d", id), region: in.Region,
			detail: fmt.Sprintf("%s; %s; %s; %d 学时", in.Title, in.Competency, in.Mode, in.Hours)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const classSelect = `SELECT c.id, c.region_code, r.name, c.name, c.theme, c.target, c.start_on, c.end_on, c.capacity, c.hours_required,
	COALESCE(u.username, ''), COALESCE(u.display_name, ''), c.escort, COALESCE(c.list_id, 0),
	(SELECT COALESCE(sum(s.hours), 0) FROM training_sessions s WHERE s.class_id = c.id)
	FROM training_classes c JOIN regions r ON r.code = c.region_code LEFT JOIN users u ON u.id = c.head_user_id`

func scanClass(s interface{ Scan(...any) error }) (training.Class, error) {
	var c training.Class
	err := s.Scan(&c.ID, &c.Region, &c.RegionName, &c.Name, &c.Theme, &c.Target, &c.Start, &c.End, &c.Capacity, &c.HoursRequired,
		&c.Head, &c.HeadName, &c.Escort, &c.List, &c.Hours)
	return c, err
}

// classFor loads a class with its sessions and items: the one access
// check of every class route. Who reads the programme at the class's
// region reads it, who manages it there changes it; the class's own
// 班主任 and 跟班干部 (ClassStaff) read it without any grant at a region.
func (tx *Tx) classFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*training.Class, error) {
	c, err := scanClass(tx.queryRow(ctx, classSelect+` WHERE c.id = ?`, id))
	if err == nil && !manage && !a.Can(access.TrainingRead, c.Region) {
		staff, err := tx.classStaff(ctx, a, id)
		if err != nil {
			return nil, err
		}
		if staff != training.NotStaff {
			return tx.classDetail(ctx, &c)
		}
	}
	if err := trainingReachable(err, a, c.Region, manage); err != nil {
		return nil, err
	}
	return tx.classDetail(ctx, &c)
}

// classStaff says whether the actor is the class's 班主任 or 跟班干部 by
// their account.
func (tx *Tx) classStaff(ctx context.Context, a *access.Actor, class int64) (training.Staff, error) {
	if a == nil || a.UserID == 0 {
		return training.NotStaff, nil
	}
	var head, escort sql.NullInt64
	err := tx.queryRow(ctx, `SELECT head_user_id, escort_user_id FROM training_classes WHERE id = ?`, class).Scan(&head, &escort)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return training.NotStaff, nil
	case err != nil:
		return training.NotStaff, err
	case head.Valid && head.Int64 == a.UserID:
		return training.HeadTeacher, nil
	case escort.Valid && escort.Int64 == a.UserID:
		return training.Escort, nil
	}
	return training.NotStaff, nil
}

// ClassStaff reports the actor's place on a class's staff (班主任,
// 跟班干部 or none), for pages that show or hide what staff may do.
func (s *TrainingService) ClassStaff(ctx context.Context, a *access.Actor, class int64) (training.Staff, error) {
	var out training.Staff
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.classStaff(ctx, a, class)
		return err
	})
	return out, err
}

// StaffClasses lists the classes whose 班主任 or 跟班干部 account is the
// actor's, newest first.
func (s *TrainingService) StaffClasses(ctx context.Context, a *access.Actor) ([]training.Class, error) {
	if a == nil || a.UserID == 0 {
		return nil, nil
	}
	var out []training.Class
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanClass, classSelect+` WHERE c.head_user_id = ? OR c.escort_user_id = ? ORDER BY c.start_on DESC, c.id DESC LIMIT 200`, a.UserID, a.UserID)
		return err
	})
	return out, err
}

// classDetail loads a class's sessions and the items it addresses.
func (tx *Tx) classDetail(ctx context.Context, c *training.Class) (*training.Class, error) {
	id := c.ID
	var err error
	if c.Sessions, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.Session, error) {
		var x training.Session
		err := s.Scan(&x.ID, &x.Day, &x.Starts, &x.Title, &x.Course, &x.CourseName, &x.Teacher, &x.TeacherName, &x.Place, &x.Hours)
		return x, err
	}, `SELECT s.id, s.day, s.starts, s.title, COALESCE(s.course_id, 0), COALESCE(k.title, ''), COALESCE(s.teacher_id, 0), COALESCE(t.name, ''), s.place, s.hours
		FROM training_sessions s LEFT JOIN training_courses k ON k.id = s.course_id LEFT JOIN training_teachers t ON t.id = s.teacher_id
		WHERE s.class_id = ? ORDER BY s.day, s.starts, s.id`, id); err != nil {
		return nil, err
	}
	type item struct {
		id   int64
		name string
	}
	items, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (item, error) {
		var it item
		err := s.Scan(&it.id, &it.name)
		return it, err
	}, `SELECT i.id, k.name || ' ' || i.competency FROM training_class_items ci JOIN training_list_items i ON i.id = ci.item_id
		JOIN cadre_ranks k ON k.code = i.rank_code WHERE ci.class_id = ? ORDER BY k.position, i.priority, i.id`, id)
	for _, it := range items {
		c.Items, c.ItemNames = append(c.Items, it.id), append(c.ItemNames, it.name)
	}
	return c, err
}

// Classes lists the classes the actor reads, newest first.
func (s *TrainingService) Classes(ctx context.Context, a *access.Actor, region string) ([]training.Class, error) {
	scopes, err := orgScopes(a, access.TrainingRead, region)
	if err != nil {
		return nil, err
	}
	where, args := scopeWhere("c.region_code", scopes)
	var out []training.Class
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanClass, classSelect+` WHERE `+where+` ORDER BY c.start_on DESC, c.id DESC`, args...)
		return err
	})
	return out, err
}

// Class returns one class.
func (s *TrainingService) Class(ctx context.Context, a *access.Actor, id int64) (*training.Class, error) {
	var out *training.Class
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.classFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// CreateClass sets up a class of a department: its 班主任 an existing
// account, the items it addresses from a published version of a list the
// actor reads.
func (s *TrainingService) CreateClass(ctx context.Context, a *access.Actor, in training.ClassInput) (*training.Class, error) {
	in.Name, in.Theme, in.Target, in.Escort, in.Head = strings.TrimSpace(in.Name), strings.TrimSpace(in.Theme), strings.TrimSpace(in.Target), strings.TrimSpace(in.Escort), strings.TrimSpace(in.Head)
	in.EscortUser = strings.TrimSpace(in.EscortUser)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *training.Class
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.trainingRegion(ctx, a, in.Region); err != nil {
			return err
		}
		var head, list any
		if in.Head != "" {
			var uid int64
			err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, in.Head).Scan(&uid)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.OnField(fault.Invalid, "head", "cadre.user_unknown", in.Head)
			}
			if err != nil {
				return err
			}
			head = uid
		}
		var escort any
		if in.EscortUser != "" {
			var uid int64
			err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, in.EscortUser).Scan(&uid)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.OnField(fault.Invalid, "escort_user", "cadre.user_unknown", in.EscortUser)
			}
			if err != nil {
				return err
			}
			escort = uid
		}
		if in.List != 0 {
			l, err := tx.listFor(ctx, a, in.List, false)
			if err != nil || l.Draft() {
				return fault.OnField(fault.Invalid, "list", "training.class.list_invalid")
			}
			own := map[int64]bool{}
			for _, it := range l.Items {
				own[it.ID] = true
			}
			for _, it := range in.Items {
				if !own[it] {
					return fault.OnField(fault.Invalid, "items", "training.class.item_invalid")
				}
			}
			list = in.List
		}
		id, err := tx.insertID(ctx, `INSERT INTO training_classes (region_code, name, theme, target, start_on, end_on, capacity, hours_required, head_user_id, escort, escort_user_id, list_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Region, in.Name, in.Theme, in.Target, in.Start, in.End, in.Capacity, in.HoursRequired, head, in.Escort, escort, list, tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		for _, it := range in.Items {
			if _, err := tx.exec(ctx, `INSERT INTO training_class_items (class_id, item_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, it); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.class.create", target: fmt.Sprintf("training_class:%d", id), region: in.Region,
			detail: fmt.Sprintf("%s; %s—%s; %d 人; %d 学时; 班主任 %s; 跟班干部 %s %s; %d 项能力", in.Name, in.Start, in.End, in.Capacity, in.HoursRequired, in.Head, in.Escort, in.EscortUser, len(in.Items))}); err != nil {
			return err
		}
		out, err = tx.classFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// AddSession adds a session to a class the actor manages, inside its
// dates, with a course and teacher of pools the actor reads.
func (s *TrainingService) AddSession(ctx context.Context, a *access.Actor, class int64, in training.SessionInput) (*training.Class, error) {
	in.Title, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place)
	var out *training.Class
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.classFor(ctx, a, class, true)
		if err != nil {
			return err
		}
		if err := in.Validate(c.ClassInput); err != nil {
			return err
		}
		teacher, _, err := tx.teacherOf(ctx, a, in.Teacher)
		if err != nil {
			return err
		}
		var course any
		if in.Course != 0 {
			var region string
			err := tx.queryRow(ctx, `SELECT region_code FROM training_courses WHERE id = ?`, in.Course).Scan(&region)
			if err := trainingReachable(err, a, region, false); err != nil {
				return fault.OnField(fault.Invalid, "course", "training.course_invalid")
			}
			course = in.Course
		}
		if _, err := tx.exec(ctx, `INSERT INTO training_sessions (class_id, day, starts, title, course_id, teacher_id, place, hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			class, in.Day, in.Starts, in.Title, course, teacher, in.Place, in.Hours); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.session.create", target: fmt.Sprintf("training_class:%d", class), region: c.Region,
			detail: fmt.Sprintf("%s %s; %s; %s; %d 学时", in.Day, in.Starts, in.Title, in.Place, in.Hours)}); err != nil {
			return err
		}
		out, err = tx.classFor(ctx, a, class, false)
		return err
	})
	return out, err
}
