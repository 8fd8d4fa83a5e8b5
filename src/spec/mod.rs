//! Loading the OpenAPI file.
