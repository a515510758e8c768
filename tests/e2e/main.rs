mod core_files;
