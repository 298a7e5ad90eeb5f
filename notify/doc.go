// Package notify sends the SDK's email (one-time codes and security
// notices) through a Mailer: an SMTP adapter for production and an
// in-memory Outbox for tests and development.
package notify
