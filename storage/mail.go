package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/metropolis/agora/forum"
	"github.com/metropolis/agora/mail"
	"github.com/metropolis/agora/notify"
)

var _ mail.Queue = (*Store)(nil)

type mailRow struct {
	bun.BaseModel `bun:"table:mail_queue"`
	ID            string     `bun:"id,pk"`
	ToAddr        string     `bun:"to_addr"`
	Subject       string     `bun:"subject"`
	TextBody      string     `bun:"text_body"`
	HTMLBody      string     `bun:"html_body"`
	Headers       string     `bun:"headers"`
	State         string     `bun:"state"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LeaseHolder   string     `bun:"lease_holder"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	LastError     string     `bun:"last_error"`
	CreatedAt     time.Time  `bun:"created_at"`
	SentAt        *time.Time `bun:"sent_at"`
}

func (r *mailRow) message() (*mail.Message, error) {
	m := &mail.Message{ID: r.ID, To: r.ToAddr, Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody,
		State: mail.State(r.State), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt)}
	if r.Headers != "" {
		if err := json.Unmarshal([]byte(r.Headers), &m.Headers); err != nil {
			return nil, fmt.Errorf("mail %s: headers: %w", r.ID, err)
		}
	}
	return m, nil
}

// EnqueueMail stores a pending mail, in the caller's transaction when
// called on one.
func (s *Store) EnqueueMail(ctx context.Context, m *mail.Message) error {
	h, err := json.Marshal(m.Headers)
	if err != nil {
		return fmt.Errorf("mail headers: %w", err)
	}
	if m.State == "" {
		m.State = mail.StatePending
	}
	row := &mailRow{ID: m.ID, ToAddr: m.To, Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, Headers: string(h),
		State: string(m.State), NextAttemptAt: utc(m.NextAttemptAt), CreatedAt: utc(m.CreatedAt)}
	_, err = s.db.NewInsert().Model(row).Exec(ctx)
	return dbErr("enqueue mail", err)
}

// ClaimMail leases due pending mails to holder (see dialect.go for how
// claimers never take the same row).
func (s *Store) ClaimMail(ctx context.Context, holder string, now time.Time, lease time.Duration, limit int) ([]*mail.Message, error) {
	var out []*mail.Message
	err := s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		var rows []mailRow
		q := tx.db.NewSelect().Model(&rows).Where("state = ?", string(mail.StatePending)).
			Where("next_attempt_at <= ?", utc(now)).Where("(lease_until IS NULL OR lease_until < ?)", utc(now)).
			OrderExpr("next_attempt_at, id").Limit(int64(limit))
		if err := lockForClaim(q).Scan(ctx); err != nil {
			return dbErr("claim mail", err)
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]string, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
		}
		_, err := tx.db.NewUpdate().Table("mail_queue").Set("lease_holder = ?", holder).Set("lease_until = ?", utc(now.Add(lease))).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		if err != nil {
			return dbErr("lease mail", err)
		}
		out = out[:0]
		for i := range rows {
			m, err := rows[i].message()
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// MailSent marks a mail sent if holder still holds it.
func (s *Store) MailSent(ctx context.Context, id, holder string, at time.Time) error {
	_, err := s.db.NewUpdate().Table("mail_queue").Set("state = ?", string(mail.StateSent)).Set("sent_at = ?", utc(at)).
		Set("lease_until = NULL").Set("last_error = ''").Where("id = ?", id).Where("lease_holder = ?", holder).Exec(ctx)
	return dbErr("mark mail sent", err)
}

// MailRetry records a failed attempt: due again at next, or failed for
// good when next is zero.
func (s *Store) MailRetry(ctx context.Context, id, holder string, attempts int, next time.Time, reason string) error {
	q := s.db.NewUpdate().Table("mail_queue").Set("attempts = ?", attempts).Set("last_error = ?", reason).
		Set("lease_until = NULL").Where("id = ?", id).Where("lease_holder = ?", holder)
	if next.IsZero() {
		q = q.Set("state = ?", string(mail.StateFailed))
	} else {
		q = q.Set("next_attempt_at = ?", utc(next))
	}
	_, err := q.Exec(ctx)
	return dbErr("retry mail", err)
}

// ReleaseMail ends holder's lease on those of ids still pending. A mail
// sent or retried meanwhile (lease_until already NULL) is left as it is.
func (s *Store) ReleaseMail(ctx context.Context, holder string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Table("mail_queue").Set("lease_until = NULL").Where("id IN (?)", bun.List(ids)).
		Where("lease_holder = ?", holder).Where("state = ?", string(mail.StatePending)).Exec(ctx)
	return dbErr("release mail", err)
}

// MailByID returns one mail of the queue (tests, the admin).
func (s *Store) MailByID(ctx context.Context, id string) (*mail.Message, error) {
	var r mailRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr("mail", err)
	}
	return r.message()
}

type memberEmailRow struct {
	bun.BaseModel `bun:"table:member_emails"`
	MemberID      string `bun:"member_id,pk"`
	Address       string `bun:"address"`
}

// MemberEmail is a member's address, "" when none.
func (s *Store) MemberEmail(ctx context.Context, memberID string) (string, error) {
	var r memberEmailRow
	err := dbErr("member email", s.db.NewSelect().Model(&r).Where("member_id = ?", memberID).Scan(ctx))
	if errors.Is(err, forum.ErrNotFound) {
		return "", nil
	}
	return r.Address, err
}

// SetMemberEmail stores a member's address; "" removes it.
func (s *Store) SetMemberEmail(ctx context.Context, memberID, address string) error {
	if address == "" {
		_, err := s.db.NewDelete().Model((*memberEmailRow)(nil)).Where("member_id = ?", memberID).Exec(ctx)
		return dbErr("remove member email", err)
	}
	_, err := upsert(s.db.NewInsert().Model(&memberEmailRow{MemberID: memberID, Address: address}), "member_id", "address").Exec(ctx)
	return dbErr("set member email", err)
}

// UnmailedNotifications lists notifications not yet considered for mail,
// of members who have an address, by member then id.
func (s *Store) UnmailedNotifications(ctx context.Context, limit int) ([]*notify.Notification, error) {
	var rows []notificationRow
	err := s.db.NewSelect().Model(&rows).Where("mailed_at IS NULL").
		Where("member_id IN (SELECT member_id FROM member_emails)").OrderExpr("member_id, id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("unmailed notifications", err)
	}
	out := make([]*notify.Notification, len(rows))
	for i := range rows {
		out[i] = rows[i].notification()
	}
	return out, nil
}

// MailNotifications queues m (nil: none) and marks the notifications ids
// mailed, in one transaction: a mail is planned once.
func (s *Store) MailNotifications(ctx context.Context, m *mail.Message, ids []string, at time.Time) error {
	return s.atomic(ctx, func(ctx context.Context, tx *Store) error {
		if m != nil {
			if err := tx.EnqueueMail(ctx, m); err != nil {
				return err
			}
		}
		if len(ids) == 0 {
			return nil
		}
		_, err := tx.db.NewUpdate().Table("notifications").Set("mailed_at = ?", utc(at)).
			Where("id IN (?)", bun.List(ids)).Where("mailed_at IS NULL").Exec(ctx)
		return dbErr("mark notifications mailed", err)
	})
}
