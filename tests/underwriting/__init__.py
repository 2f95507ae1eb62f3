"""Tests of the underwriting stage (riskscan/underwriting/)."""
