-- Grants held at a party organisation or at a unit (issue 14, 15 item 4
-- and 11): a branch secretary's grant names their organisation (org_id),
-- reaching it and the 党小组 below it, not every branch homed in the
-- village; a unit's 组织人事干部 (unitstaff) names their unit (unit_id).
-- 0 for every grant held region-wide.
ALTER TABLE user_roles ADD COLUMN org_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_roles ADD COLUMN unit_id BIGINT NOT NULL DEFAULT 0;

-- A class's 跟班干部 by account (training_classes.escort_user_id) is
-- migration 0037's: they see the class as its 班主任 does.

-- Places per unit of a class set by the department (单位推荐名额).
CREATE TABLE training_quotas (
    class_id   BIGINT NOT NULL REFERENCES training_classes(id),
    unit_id    BIGINT NOT NULL REFERENCES org_units(id),
    quota      INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (class_id, unit_id)
);

-- A nomination is an enrolment with source 'nomination' and the unit that
-- nominated (its quota counts them).
ALTER TABLE training_enrolments ADD COLUMN unit_id BIGINT REFERENCES org_units(id);
CREATE INDEX training_enrolments_unit ON training_enrolments(class_id, unit_id);
