write_central_csv_zip = write_instance = write_kobo_csv = None
