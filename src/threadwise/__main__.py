from threadwise.cli import main

main()
