package sqlstore

import (
	"io/fs"
	"strings"
	"testing/fstest"
)

// GooseMigrations returns the migrations of the dialect in the layout
// goose reads: one file NNNN_name.sql per version holding a
// "-- +goose Up" section and a "-- +goose Down" section, at the root of
// the returned file system. The statements are those of Migrations, with
// the default table prefix (us_); no statement of the schema contains a
// semicolon inside a body, so goose's statement splitter needs no
// StatementBegin/End markers. Give goose a version table of the SDK's
// own, so that it does not share goose_db_version with the host's own
// goose migrations:
//
//	p, err := goose.NewProvider(goose.DialectSQLite3, db, sqlstore.GooseMigrations(sqlstore.SQLite),
//		goose.WithTableName("usersettings_goose_db_version"))
//	_, err = p.Up(ctx)
func GooseMigrations(d Dialect) fs.FS {
	out := fstest.MapFS{}
	ms, err := loadMigrations(d)
	if err != nil {
		return out
	}
	for _, m := range ms {
		name := strings.TrimSuffix(m.name, ".up.sql") + ".sql"
		var b strings.Builder
		b.WriteString("-- +goose Up\n")
		b.WriteString(m.up)
		b.WriteString("\n-- +goose Down\n")
		b.WriteString(m.down)
		out[name] = &fstest.MapFile{Data: []byte(b.String()), Mode: 0o444}
	}
	return out
}
