// Package merge merges two Mendix Profiles of one person into one.
//
// Resolve is the pure rule that decides the merged profile and the preview
// shown before the merge is committed. The merge flow (start, choose the
// address that receives the code, verify the code, preview, commit) is run
// by the Service.
//
// A merge cannot be undone: the other profile is deleted with its personal
// data, and separating the profiles afterwards is impossible by design.
package merge
