// Package personaldata shows, exports and erases everything the SDK
// stores about a person: the "Personal Data" page (view and download),
// the change history, and the deletion of accounts and profiles.
//
// This package is the one catalogue of personal data: every kind the SDK
// stores has its [Source] here (accounts, codes, tokens, two-factor
// records, sessions, merge flows, notification settings, history,
// security log, profile), which collects it for a profile and erases it
// for an account or a profile. Sources are registered explicitly,
// usually all at once with [DefaultSources]; the stores and services are
// taken through small role interfaces ([Profiles], [Accounts],
// [Sessions], …):
//
//	st := memory.New() // or an *sqlstore.Store
//	pd := personaldata.NewService(personaldata.Config{
//		Tx: st, Profiles: st, Accounts: st, History: st, Owners: account.NewOwners(st),
//		Sources: personaldata.DefaultSources(personaldata.Deps{
//			Profiles: st, Accounts: st, Codes: st, History: st, Notify: st, Merges: st,
//			Tokens: tokens, TwoFactor: twoFA, Sessions: sessions, // the services
//		}),
//	})
//	accounts := account.NewService(account.Config{..., Erasure: pd})
//
// Each takes the caller (an auth.Caller) and acts on the caller's own
// profile. [Service.Collect] returns a typed [View]; [Service.ExportZIP]
// and [Service.ExportJSON] write the download, streaming the history so
// memory stays flat however long it is; [Service.History] pages the
// history, newest first; [Service.Erase] (sensitive: a recent sign-in)
// deletes the profile, its accounts and everything of theirs in one
// transaction, then scrubs the database files; [Service.AdminErase] does
// the same for support staff. account.Service.Delete erases through the
// same [Service.EraseAccount], [Service.EraseProfile] and [Service.Scrub]
// (account.Erasure), so deleting an account removes everything of the
// account and deleting the last account everything of the profile.
//
// No Source names an adapter's tables: coverage is checked by each
// adapter's own tests against its own schema (storagetest.CoverageProblems
// over the tables of the database catalogue, or the maps of the memory
// store), which fail when a table holds a person's records that the
// export does not show or the erasure leaves behind. A new Store cannot
// be added without wiring it into export and erasure.
//
// # personal-data.json, schema version 1
//
// The download is a ZIP archive with personal-data.json and, when the
// profile has one, the avatar image (avatar.png, avatar.jpg, avatar.gif or
// avatar.webp). ExportJSON writes the JSON document alone. Times are RFC
// 3339 strings in UTC; a time that never happened is left out where the
// field says "omitted when unset". Lists are never null. The document
// never holds a password, password hash, token, API key, digest,
// one-time code, recovery code, TOTP secret or phone number, and never
// data of another profile.
//
//	schema_version           1; see SchemaVersion
//	exported_at              when the export was made
//	tracking_since           when the host started recording changes (the
//	                         history holds nothing older); default 2018-11-01
//	profile                  id, name, job_title, department, country (ISO
//	                         3166-1 alpha-2), about_you, skills[],
//	                         industry_experience[], twitter_url, linkedin_url,
//	                         recovery_email, pending_recovery_email, public,
//	                         created_at, updated_at,
//	                         avatar: null or {file, content_type, size,
//	                         width, height, sha256}
//	community_progress       points, achievements[] {id, name, awarded_at},
//	                         certifications[] {id, name, valid_until},
//	                         academy[] {course_id, title, percent, completed}
//	accounts[]               id, email, company, sso, status ("active" or
//	                         "deactivated"), has_password,
//	                         password_changed_at (omitted when unset),
//	                         marketing, credits, created_at
//	verification_codes_sent[] address, sent_at: codes emailed to the
//	                         person's addresses (never the codes)
//	mail[]                   id, to, subject, state ("queued", "sending",
//	                         "sent", "abandoned"), queued_at, sent_at
//	                         (omitted when unset): the messages of the
//	                         mail outbox to the person's addresses (never
//	                         their bodies)
//	two_factor[]             account_id, method ("none", "sms",
//	                         "authenticator"), enabled_at (omitted when unset)
//	passkeys[]               id, account_id, name, created_at,
//	                         last_used_at (omitted when never used),
//	                         transports[], backup_eligible, backup_state,
//	                         aaguid (never the credential ID or public key)
//	personal_access_tokens[] id, account_id, name, scopes[], last4,
//	                         created_at, last_used_at and expires_at
//	                         (omitted when unset)
//	api_keys[]               id, account_id, description, last4, created_at
//	notifications            saved (false: never saved, the values are the
//	                         defaults), daily_digest, thread_updates,
//	                         watched_apps[] {app_id, app_name, since}
//	merges[]                 id, role, state, at, detail
//	sessions[]               id, account_id, created_at, last_seen_at: the
//	                         sign-in sessions (never their secrets)
//	security_log[]           oldest first: id, kind ("signed_in",
//	                         "sign_in_failed", "password_changed", …; see
//	                         package securitylog), at, and account_id, ip,
//	                         device, admin and detail (omitted when empty)
//	extra                    sections added by host sources (omitted when
//	                         empty; the SDK's own data is never here)
//	history[]                oldest first: id, at, item, action ("set",
//	                         "cleared", "added", "removed"), detail and
//	                         account_id (omitted when empty)
//
// A later version may add fields; it changes schema_version only when a
// field is renamed or removed or changes meaning.
//
// # Erasure and the database files
//
// Erasure deletes rows; what a database keeps of deleted rows depends on
// the adapter. storage/sqlstore opens SQLite with secure_delete, so
// deleted cells and free pages are overwritten, and its Scrub (run by
// Erase after the commit, and by [Service.Scrub]) checkpoints and
// truncates the write-ahead log, so no erased value stays in the database
// file, the WAL or free pages. On PostgreSQL deleted rows are dead tuples
// until VACUUM reclaims the space and later writes reuse it; they never
// appear in query results or pg_dump output. VACUUM cannot run inside a
// transaction, so Scrub does not run it; hosts that need the bytes gone
// from the data files run VACUUM (FULL) on their schedule.
package personaldata
