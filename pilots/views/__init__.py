"""The initiative's savings pages (where savings land, costs and benefits), still in pilots
until savings has its own web layer (issue 16, item 2); every other pilot page is in
``pilots.pages``."""
