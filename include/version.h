/*
 * version.h - the release version, for `rdsreconcile version`, --version
 * and the AWS client's User-Agent (rdsreconcile/VERSION).  Kept apart from
 * cmd.h so that the library layers need not include the CLI's header.
 */
#ifndef RR_VERSION_H
#define RR_VERSION_H

#define RDSRECONCILE_VERSION "0.1.0"

#endif
