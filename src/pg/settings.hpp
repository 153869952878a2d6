// PostgreSQL's headers for GUCs: custom settings and reading them. Only src/pg/ includes
// PostgreSQL's C headers; the rest of the extension includes them through these facility headers
// (CTest pg_headers_only_in_src_pg).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

#include "pg/guard.hpp"

#include <exception>
#include <initializer_list>
#include <utility>

namespace obsmeta::pg {

// Settings changed for the lifetime of the object, as a function's SET clause changes them: the
// destructor restores them; on an error, the abort of the (sub)transaction does.
class SettingsScope {
public:
    // `context`: PGC_INTERNAL for obsmeta's own internal settings (obsmeta.caom2_import)
    explicit SettingsScope(std::initializer_list<std::pair<const char*, const char*>> settings,
                           GucContext context = PGC_USERSET)
        : uncaught_at_entry_(std::uncaught_exceptions()) {
        level_ = call([&settings, context] {
            const int level = NewGUCNestLevel();
            for (const auto& [name, value] : settings)
                (void)set_config_option(name, value, context, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
            return level;
        });
    }
    ~SettingsScope() {
        if (std::uncaught_exceptions() == uncaught_at_entry_) AtEOXact_GUC(true, level_);
    }
    SettingsScope(const SettingsScope&) = delete;
    SettingsScope& operator=(const SettingsScope&) = delete;

private:
    int uncaught_at_entry_;
    int level_ = 0;
};

}  // namespace obsmeta::pg
