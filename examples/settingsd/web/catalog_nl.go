package web

// dutch is the Dutch half of the catalogue: the translation of every
// English text a page shows, keyed by that text. The register is the
// informal "je" of Dutch web pages.
var dutch = map[string]string{
}
