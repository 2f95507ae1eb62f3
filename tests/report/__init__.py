"""Tests of the report stage (riskscan/report/)."""
