"""National datasets: upload, preview, load and approve editions; apportion top-down figures."""
