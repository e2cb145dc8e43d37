// Catalog: THE table of event sources. Adding a source touches its schema file, its .cpp and
// one line of catalog.cpp (generators/README.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "generators/source.h"

namespace evh {

struct CatalogEntry {
  std::string_view id;
  std::string_view schema_file;  ///< generators/sources/<file>, embedded at build time
  SourceHooks (*hooks)();
};

/// The table, in the order `evh list sources` prints it.
const std::vector<CatalogEntry>& catalog();

/// Every source, loaded once. Schemas come from the binary, or from the folder named by the
/// EVH_SOURCES_DIR environment variable when set (for editing schemas without rebuilding).
/// A schema that fails to load is reported by `catalog_error()` and its source left out.
const std::vector<Source>& all_sources();
const std::string& catalog_error();

/// The source with this id; the error lists the known ids.
Result<const Source*> find_source(std::string_view id);

/// A user-defined source from a schema file with an x-evh-source block (no hooks).
Result<Source> load_source_file(const std::string& path);

}  // namespace evh
